package dev.portcullis.cli;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * The scripted agent of the demo: a real MCP client (the MCP Java SDK over streamable HTTP) that
 * asks the gateway for tools and calls them, each step with the behaviour it expects. Prints what
 * the agent asked and what came back, and counts the steps that did not behave.
 */
final class DemoScript {
  private final PrintWriter out;
  private final JsonMapper json = JsonMapper.builder().build();
  private final List<String> failures = new ArrayList<>();
  private int step;

  DemoScript(PrintWriter out) {
    this.out = out;
  }

  List<String> failures() {
    return failures;
  }

  /** Runs the agent's steps against the MCP endpoint at {@code baseUrl} with {@code apiKey}. */
  void run(String baseUrl, String apiKey) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(baseUrl)
            .endpoint("/mcp")
            .addHttpRequestCustomizer(
                (request, method, uri, body, context) ->
                    request.header("Authorization", "Bearer " + apiKey))
            .build();
    try (McpSyncClient client =
        McpClient.sync(transport)
            .requestTimeout(Duration.ofSeconds(20))
            .clientInfo(
                McpSchema.Implementation.builder("portcullis-demo-agent", Version.current())
                    .build())
            .build()) {
      listTools(client);
      allowedRead(client);
      invalidArguments(client);
      deniedByPolicy(client);
      unknownTool(client);
      allowedWrite(client);
    }
  }

  private void listTools(McpSyncClient client) {
    heading("The agent connects and asks which tools it may use.");
    McpSchema.InitializeResult init = client.initialize();
    say("→ initialize");
    say(
        "← "
            + init.serverInfo().name()
            + " "
            + init.serverInfo().version()
            + ", protocol "
            + init.protocolVersion());
    List<String> names =
        client.listTools().tools().stream().map(McpSchema.Tool::name).sorted().toList();
    say("→ tools/list");
    say("← " + names.size() + " tools: " + String.join(", ", names));
    say(
        "  (orders_refund exists in the catalog but no rule grants it to this agent, so it is not shown;"
            + " portcullis_outcome is built in, for following calls that await approval)");
    expect(
        names.equals(
            List.of(
                "crm_find_customer_by_email",
                "crm_get_customer",
                "orders_get",
                "orders_list_for_customer",
                "portcullis_outcome",
                "tickets_create")),
        "only the tools granted to support-assistant are listed");
  }

  private void allowedRead(McpSyncClient client) {
    heading(
        "An allowed read: the gateway adds Acme's credential, which the agent never holds,"
            + " and redacts personal data from the result.");
    McpSchema.CallToolResult r = call(client, "crm_get_customer", args("customerId", "C-1001"));
    expect(
        !Boolean.TRUE.equals(r.isError()) && text(r).contains("Maria Keller"),
        "the customer record came back");
    expect(
        text(r).contains("[redacted:email]")
            && text(r).contains("[redacted:phone]")
            && !text(r).contains("maria.keller@"),
        "its e-mail and phone came back redacted");
  }

  private void invalidArguments(McpSyncClient client) {
    heading("Invalid arguments: refused by the tool's JSON Schema before anything runs.");
    McpSchema.CallToolResult r =
        call(client, "crm_get_customer", args("customerId", 1001, "includeSecrets", true));
    expect(
        Boolean.TRUE.equals(r.isError()) && errorType(r).endsWith("invalid-arguments"),
        "refused with every violation listed");
  }

  private void deniedByPolicy(McpSyncClient client) {
    heading(
        "A tool outside the agent's grant: denied by policy, even though the agent asks for it by name.");
    McpSchema.CallToolResult r =
        call(
            client,
            "orders_refund",
            args("orderId", "O-5001", "amount", 129.90, "reason", "customer asked"));
    expect(
        Boolean.TRUE.equals(r.isError()) && errorType(r).endsWith("denied-by-policy"),
        "denied (default deny: no rule permits it)");
  }

  private void unknownTool(McpSyncClient client) {
    heading("A tool that does not exist: blocked by default.");
    say("→ tools/call crm_delete_customer {\"customerId\":\"C-1001\"}");
    try {
      client.callTool(
          new McpSchema.CallToolRequest(
              "crm_delete_customer", Map.of("customerId", "C-1001"), null));
      expect(false, "an unknown tool is refused");
    } catch (McpError e) {
      say("← JSON-RPC error " + e.getJsonRpcError().code() + ": " + e.getJsonRpcError().message());
      expect(
          e.getJsonRpcError().code() == McpSchema.ErrorCodes.INVALID_PARAMS,
          "refused as an unknown tool");
    }
  }

  private void allowedWrite(McpSyncClient client) {
    heading("An allowed write: a ticket is opened in Acme.");
    McpSchema.CallToolResult r =
        call(
            client,
            "tickets_create",
            args(
                "customerId", "C-1001",
                "subject", "Parcel arrived damaged",
                "body", "Customer reports order O-5001 arrived with a broken lid.",
                "priority", "normal"));
    expect(
        !Boolean.TRUE.equals(r.isError()) && text(r).contains("\"status\":\"open\""),
        "the ticket was created");
  }

  McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
    say("→ tools/call " + tool + " " + json.writeValueAsString(args));
    McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest(tool, args, null));
    String shown = text(r).replace("\n", "\n    ");
    say((Boolean.TRUE.equals(r.isError()) ? "← refused: " : "← ") + shown);
    return r;
  }

  /** Arguments in the order written, so the printed request reads as the script does. */
  static Map<String, Object> args(Object... pairs) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1]);
    }
    return m;
  }

  static String text(McpSchema.CallToolResult r) {
    return r.content().stream()
        .filter(c -> c instanceof McpSchema.TextContent)
        .map(c -> ((McpSchema.TextContent) c).text())
        .findFirst()
        .orElse("");
  }

  @SuppressWarnings("unchecked")
  static String errorType(McpSchema.CallToolResult r) {
    if (r.structuredContent() instanceof Map<?, ?> m && m.get("error") instanceof Map<?, ?> e) {
      return String.valueOf(((Map<String, Object>) e).get("type"));
    }
    return "";
  }

  void heading(String text) {
    out.printf("%n%d. %s%n", ++step, text);
  }

  void say(String text) {
    out.println("   " + text);
    out.flush();
  }

  void expect(boolean held, String what) {
    say((held ? "✔ " : "✘ NOT AS EXPECTED: ") + what);
    if (!held) {
      failures.add("step " + step + ": " + what);
    }
  }

  void expect(Supplier<Boolean> held, String what) {
    boolean ok;
    try {
      ok = held.get();
    } catch (RuntimeException e) {
      ok = false;
    }
    expect(ok, what);
  }
}
