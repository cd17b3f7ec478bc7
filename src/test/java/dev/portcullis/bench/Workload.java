package dev.portcullis.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The kinds of call the scenario benchmark repeats, by the support assistant of the demo
 * configuration, each through up to three doors: Acme called directly (the baseline), the gateway's
 * REST door and its MCP door. What each request is, and what counts as its expected answer, is in
 * {@link #scenario}.
 */
enum Workload {
  READ("read", "crm_get_customer {customerId: C-1001}: an allowed read"),
  WRITE("write", "tickets_create, priority normal: an allowed write (Acme inserts a ticket)"),
  DENIED(
      "denied",
      "tickets_create, priority urgent: denied by policy (default deny), nothing reaches Acme"),
  FRESH_KEY(
      "fresh-key",
      "tickets_create, priority normal, with an idempotency key never seen before on every call"
          + " (REST `Idempotency-Key`, MCP `params._meta.portcullis/idempotencyKey`; the gateway sends Acme a key"
          + " derived from it, so the direct baseline sends Acme a fresh key too)");

  /** Where a request goes. */
  enum Door {
    DIRECT("direct"),
    REST("REST"),
    MCP("MCP");

    final String label;

    Door(String label) {
      this.label = label;
    }

    boolean gateway() {
      return this != DIRECT;
    }

    static Door of(String text) {
      return Arrays.stream(values())
          .filter(d -> d.label.equalsIgnoreCase(text))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException(text));
    }
  }

  /**
   * The addresses a scenario calls: Acme's base URI (its API is under /api) and the gateway's. The
   * gateway may be several nodes, to which each scenario deals its clients out in turn (as a load
   * balancer would); {@link #gateway()} is the first.
   */
  record Endpoints(URI acme, List<URI> gateways, String acmeToken, String agentKey) {
    Endpoints {
      gateways = List.copyOf(gateways);
    }

    URI gateway() {
      return gateways.getFirst();
    }

    /** A dealer of gateway nodes for one scenario's clients, each next one in turn. */
    Supplier<URI> dealer() {
      AtomicInteger next = new AtomicInteger();
      return () -> gateways.get(Math.floorMod(next.getAndIncrement(), gateways.size()));
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String CUSTOMER = "{\"customerId\":\"C-1001\"}";

  final String id;
  final String description;

  Workload(String id, String description) {
    this.id = id;
    this.description = description;
  }

  static Workload of(String text) {
    return Arrays.stream(values())
        .filter(w -> w.id.equals(text))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(text));
  }

  static List<String> ids() {
    return Arrays.stream(values()).map(w -> w.id).toList();
  }

  /** Whether Acme alone can do this call: a denied call has no upstream counterpart. */
  boolean hasDirect() {
    return this != DENIED;
  }

  String tool() {
    return this == READ ? Scenarios.TOOL : "tickets_create";
  }

  /** The tool's arguments, a JSON object. */
  String arguments() {
    return switch (this) {
      case READ -> CUSTOMER;
      case WRITE, FRESH_KEY -> ticket("normal");
      case DENIED -> ticket("urgent");
    };
  }

  private static String ticket(String priority) {
    return "{\"customerId\":\"C-1001\",\"subject\":\"Printer on fire\",\"body\":\"Opened by the benchmark.\","
        + "\"priority\":\""
        + priority
        + "\"}";
  }

  /** This workload through {@code door}; its name is "{@code id} {@code door}". */
  Scenario scenario(Door door, Endpoints at) {
    String name = id + " " + door.label;
    return switch (door) {
      case DIRECT -> direct(name, at);
      case REST -> rest(name, at);
      case MCP -> mcp(name, at);
    };
  }

  private Scenario direct(String name, Endpoints at) {
    if (!hasDirect()) {
      throw new IllegalArgumentException(id + " has no direct call");
    }
    if (this == READ) {
      return Scenarios.direct(name, at.acme(), at.acmeToken());
    }
    boolean keyed = this == FRESH_KEY;
    return new Scenario(
        name,
        http -> {
          Keys keys = new Keys();
          return () -> {
            HttpRequest.Builder b =
                HttpRequest.newBuilder(at.acme().resolve("/api/tickets"))
                    .timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + at.acmeToken())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(arguments()));
            if (keyed) {
              b.header("Idempotency-Key", keys.next());
            }
            return expect(http, b.build(), 201, null);
          };
        });
  }

  private Scenario rest(String name, Endpoints at) {
    Supplier<URI> nodes = at.dealer();
    String body = "{\"arguments\":" + arguments() + "}";
    int status = this == DENIED ? 403 : 200;
    String expected = this == DENIED ? "denied-by-policy" : null;
    boolean keyed = this == FRESH_KEY;
    return new Scenario(
        name,
        http -> {
          URI uri = nodes.get().resolve("/v1/tools/" + tool() + ":invoke");
          Keys keys = new Keys();
          return () -> {
            HttpRequest.Builder b =
                HttpRequest.newBuilder(uri)
                    .timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + at.agentKey())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (keyed) {
              b.header("Idempotency-Key", keys.next());
            }
            return expect(http, b.build(), status, expected);
          };
        });
  }

  private Scenario mcp(String name, Endpoints at) {
    Supplier<URI> nodes = at.dealer();
    String expected = this == DENIED ? "\"isError\":true" : "\"isError\":false";
    boolean keyed = this == FRESH_KEY;
    Function<String, String> meta =
        key -> key == null ? "" : ",\"_meta\":{\"portcullis/idempotencyKey\":\"" + key + "\"}";
    return new Scenario(
        name,
        http -> {
          URI endpoint = nodes.get().resolve("/mcp");
          String session = Scenarios.openSession(http, endpoint, at.agentKey());
          Keys keys = new Keys();
          long[] nextId = {1};
          return () -> {
            String body =
                "{\"jsonrpc\":\"2.0\",\"id\":"
                    + nextId[0]++
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                    + tool()
                    + "\",\"arguments\":"
                    + arguments()
                    + meta.apply(keyed ? keys.next() : null)
                    + "}}";
            HttpRequest request =
                Scenarios.mcpPost(endpoint, at.agentKey(), body)
                    .header("Mcp-Session-Id", session)
                    .header("MCP-Protocol-Version", Scenarios.MCP_VERSION)
                    .build();
            return expect(http, request, 200, expected);
          };
        });
  }

  /**
   * Sends {@code request}: null when the answer has {@code status} and, if given, contains {@code
   * expected}.
   */
  private static String expect(HttpClient http, HttpRequest request, int status, String expected)
      throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != status) {
      return "HTTP "
          + r.statusCode()
          + " (expected "
          + status
          + "): "
          + Scenarios.excerpt(r.body());
    }
    return expected == null || r.body().contains(expected)
        ? null
        : "unexpected answer: " + Scenarios.excerpt(r.body());
  }

  /** Idempotency keys for one client, never repeated: a random prefix per client and a counter. */
  private static final class Keys {
    private final String prefix = "bench-" + UUID.randomUUID() + "-";
    private long next;

    String next() {
      return prefix + next++;
    }
  }
}
