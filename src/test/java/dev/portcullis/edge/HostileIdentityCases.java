package dev.portcullis.edge;

import static dev.portcullis.edge.HostileCorpus.goodRead;
import static dev.portcullis.edge.HostileCorpus.mcp;

/**
 * Identity: missing, garbled and oversized bearer values, wrong keys, OIDC tokens that must not
 * pass (alg none, expired, another issuer or audience, tampered), user tokens that must not pass
 * (an agent's token, another tenant's user, expired), and repeated credential headers. Each is sent
 * to both doors: REST invoke, and {@code initialize} on {@code /mcp} (which opens no session).
 */
final class HostileIdentityCases {
  private static final String G = "identity";
  private static final String INIT =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
          + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"hostile\",\"version\":\"0\"}}}";

  private HostileIdentityCases() {}

  static void add(HostileCorpus c) {
    String[][] unauthenticated = {
      {"no Authorization header", ""},
      {"the scheme alone", "Authorization: Bearer\r\n"},
      {"the scheme and a space", "Authorization: Bearer \r\n"},
      {"an empty Authorization header", "Authorization: \r\n"},
      {"Basic credentials", "Authorization: Basic c3VwcG9ydDpzZWNyZXQ=\r\n"},
      {"the key with another scheme", "Authorization: Token {KEY}\r\n"},
      {"the key without a scheme", "Authorization: {KEY}\r\n"},
      {"the key and a second word", "Authorization: Bearer {KEY} extra\r\n"},
      {"the key with a trailing character", "Authorization: Bearer {KEY}x\r\n"},
      {
        "the key cut short by one",
        "Authorization: Bearer pcl_demo_support_assistant_key_not_for_productio\r\n"
      },
      {
        "the key in upper case",
        "Authorization: Bearer PCL_DEMO_SUPPORT_ASSISTANT_KEY_NOT_FOR_PRODUCTION\r\n"
      },
      {
        "a wrong key of the right shape",
        "Authorization: Bearer pcl_demo_support_assistant_key_not_for_productiom\r\n"
      },
      {
        "an approver's key",
        "Authorization: Bearer pcl_demo_approver_olivia_key_not_for_production\r\n"
      },
      {
        "the key's sha256 digest",
        "Authorization: Bearer sha256:cfc5abe5ab89535cafe1ded4d765d9d3a2e8f2d62682b8bea011bd51d96abef9\r\n"
      },
      {"a 6000-character bearer value", "Authorization: Bearer {k*6000}\r\n"},
      {"a bearer value with Latin-1 bytes", "Authorization: Bearer pcl_\u00e9\u00e8\u00ff\r\n"},
      {
        "a bearer value with percent-encoding",
        "Authorization: Bearer pcl%5Fdemo%5Fsupport%5Fassistant%5Fkey%5Fnot%5Ffor%5Fproduction\r\n"
      },
      {"a JWT with alg none", "Authorization: Bearer {JWT:agent-alg-none}\r\n"},
      {"a JWT without its signature", "Authorization: Bearer {JWT:agent-no-signature}\r\n"},
      {"a JWT with an altered payload", "Authorization: Bearer {JWT:agent-tampered}\r\n"},
      {
        "a JWT with another token's signature",
        "Authorization: Bearer {JWT:agent-signature-swapped}\r\n"
      },
      {"a JWT claiming HS256", "Authorization: Bearer {JWT:agent-hs256}\r\n"},
      {"an expired agent JWT", "Authorization: Bearer {JWT:agent-expired}\r\n"},
      {"an agent JWT for another audience", "Authorization: Bearer {JWT:agent-audience}\r\n"},
      {"an agent JWT from an untrusted issuer", "Authorization: Bearer {JWT:agent-issuer}\r\n"},
      {"three dots", "Authorization: Bearer ...\r\n"},
      {"a JWT of garbage parts", "Authorization: Bearer e30.e30.e30\r\n"},
    };
    for (String[] u : unauthenticated) {
      c.add(G, "REST " + u[0], goodRead(u[1])).problem(401, "unauthenticated").excludes("pcl_demo");
      c.add(G, "MCP initialize with " + u[0], mcp(u[1], INIT))
          .problem(401, "unauthenticated")
          .excludes("pcl_demo");
    }
    c.add(
            G,
            "REST a valid JWT of an unregistered client",
            goodRead("Authorization: Bearer {JWT:agent-unregistered}\r\n"))
        .problem(403, "agent-not-registered");
    c.add(
            G,
            "MCP initialize with a valid JWT of an unregistered client",
            mcp("Authorization: Bearer {JWT:agent-unregistered}\r\n", INIT))
        .problem(403, "agent-not-registered");
    c.add(G, "REST a user's token as the agent's", goodRead("Authorization: Bearer {JWT:user}\r\n"))
        .problem(403, "agent-not-registered");
    c.add(
            G,
            "REST a bearer value with a vertical tab",
            goodRead("Authorization: Bearer pcl_\u000bkey\r\n"))
        .problem(400, "malformed-request");
    c.add(
            G,
            "MCP initialize with a bearer value with a vertical tab",
            mcp("Authorization: Bearer pcl_\u000bkey\r\n", INIT))
        .problem(400, "malformed-request");

    String[][] userTokens = {
      {"an expired user token", "{JWT:user-expired}"},
      {"a user token from an untrusted issuer", "{JWT:user-issuer}"},
      {"a user token for another audience", "{JWT:user-audience}"},
      {"a user token with alg none", "{JWT:agent-alg-none}"},
      {"a user token that is an API key", "{KEY}"},
      {"a user token of 6000 characters", "{u*6000}"},
    };
    for (String[] t : userTokens) {
      c.add(
              G,
              "REST " + t[0],
              goodRead("Authorization: Bearer {KEY}\r\nPortcullis-User-Token: " + t[1] + "\r\n"))
          .problem(401, "invalid-user-token");
    }
    c.add(
            G,
            "REST an agent's token as the user token (it names no tenant)",
            goodRead("Authorization: Bearer {KEY}\r\nPortcullis-User-Token: {JWT:agent}\r\n"))
        .problem(401, "invalid-user-token");
    c.add(
            G,
            "REST an agent-issuer token carrying a tenant and roles as the user token",
            goodRead(
                "Authorization: Bearer {KEY}\r\nPortcullis-User-Token: {JWT:agent-with-user-claims}\r\n"))
        .problem(401, "invalid-user-token");
    c.add(
            G,
            "REST an empty user token, as none",
            goodRead("Authorization: Bearer {KEY}\r\nPortcullis-User-Token: \r\n"))
        .ok(200)
        .reaches(HostileCorpus.readReaches())
        .audit(2);
    c.add(
            G,
            "REST a user of another tenant",
            goodRead(
                "Authorization: Bearer {KEY}\r\nPortcullis-User-Token: {JWT:user-other-tenant}\r\n"))
        .problem(403, "tenant-mismatch");
    c.add(
            G,
            "REST a user token of the agent's tenant, allowed",
            goodRead("Authorization: Bearer {KEY}\r\nPortcullis-User-Token: {JWT:user}\r\n"))
        .ok(200)
        .reaches(HostileCorpus.readReaches())
        .audit(2);
    c.add(
            G,
            "REST an OIDC agent's valid token, allowed",
            goodRead("Authorization: Bearer {JWT:agent}\r\n"))
        .ok(200)
        .reaches(HostileCorpus.readReaches())
        .audit(2);

    String[][] repeated = {
      {
        "two Authorization headers, both the key",
        "Authorization: Bearer {KEY}\r\nAuthorization: Bearer {KEY}\r\n"
      },
      {
        "Authorization twice, the second empty",
        "Authorization: Bearer {KEY}\r\nAuthorization: \r\n"
      },
      {
        "an API key and a JWT",
        "Authorization: Bearer {KEY}\r\nAuthorization: Bearer {JWT:agent}\r\n"
      },
      {
        "two user tokens",
        "Authorization: Bearer {KEY}\r\nPortcullis-User-Token: {JWT:user}\r\nPortcullis-User-Token: {JWT:user-other-tenant}\r\n"
      },
      {
        "two Idempotency-Key headers",
        "Authorization: Bearer {KEY}\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\n"
      },
    };
    for (String[] r : repeated) {
      c.add(G, "REST " + r[0], goodRead(r[1])).problem(400, "malformed-request");
    }
    c.add(
            G,
            "MCP two Authorization headers",
            mcp(
                "Authorization: Bearer {KEY}\r\nAuthorization: Bearer {KEY}\r\nMcp-Session-Id: {SESSION}\r\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))
        .problem(400, "malformed-request");
    c.add(
            G,
            "MCP the shared session with another agent's key",
            mcp(
                "Authorization: Bearer "
                    + "pcl_demo_billing_assistant_key_not_for_production\r\nMcp-Session-Id: {SESSION}\r\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))
        .rpc(404, -32600);
    c.add(
            G,
            "MCP the shared session without a key",
            mcp(
                "Mcp-Session-Id: {SESSION}\r\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))
        .problem(401, "unauthenticated");
  }
}
