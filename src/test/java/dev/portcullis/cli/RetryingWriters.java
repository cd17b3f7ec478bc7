package dev.portcullis.cli;

import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.ServeProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The clients of {@link CrashUnderLoadTest} and {@link ThreeNodesUnderLoadTest}: writers that each
 * send payments under keys of their own ({@code w2-007}, amounts drawn from the seed, one in six
 * over the forbidden 1000) to whichever gateway is serving (in turn, when several nodes serve), and
 * retry each key with the same body until it has a final answer. A REST writer invokes the tool's
 * route with an {@code Idempotency-Key}; an MCP writer ({@code m4-007}) calls it in one session
 * that hops from node to node. Every other key ({@code w2-001}, {@code w2-003}, …) pays through
 * {@code payments_send_keyed}, whose connector declares that its upstream honours idempotency keys,
 * so a restart re-sends it.
 *
 * <p>Final: {@code 200} (completed, first time or replayed), {@code 403 denied-by-policy} (refused;
 * the call keeps its key, so a retry is refused again), or {@code 409 idempotency-key-in-flight}
 * naming a call that {@code GET /v1/invocations/{id}} shows as {@code needs-reconciliation}. Not
 * final, retried: a lost connection (the gateway was killed; the writer waits for the next one), a
 * {@code 503}, in-flight for a call still executing or awaiting approval, and {@code 202} (parked
 * for a person; the writer asks again until the approver has decided). Over MCP the same answers
 * come as a result, an {@code isError} result naming the problem type, or a pending result.
 * Anything else is unexpected and ends the key with that answer, for the test to report.
 *
 * <p>Concurrency: one thread per writer; the answers and counters are concurrent.
 */
final class RetryingWriters {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PROBLEM = "urn:portcullis:problem:";
  private static final Duration RETRY_WAIT = Duration.ofMillis(200);

  /** How a key ended, and the state its invocation must then have in the store. */
  enum Kind {
    COMPLETED("completed"),
    REFUSED("denied"),
    NEEDS_RECONCILIATION("needs-reconciliation"),
    UNEXPECTED(null),
    NO_ANSWER(null);

    private final String storedState;

    Kind(String storedState) {
      this.storedState = storedState;
    }

    String storedState() {
      return storedState;
    }
  }

  /** One writer's key and the payment it asks for, the same on every retry. */
  record Key(String name, String payee, int amount, boolean keyed) {
    boolean forbidden() {
      return amount > 1000;
    }

    String tool() {
      return keyed ? "payments_send_keyed" : "payments_send";
    }

    String arguments() {
      return "{\"payee\":\""
          + payee
          + "\",\"amount\":"
          + amount
          + ",\"reference\":\""
          + name
          + "\"}";
    }

    String body() {
      return "{\"arguments\":" + arguments() + "}";
    }
  }

  /**
   * The answer a key ended with; {@code detail} is the last status and body for an unexpected one.
   */
  record Answer(String key, Kind kind, String invocationId, int attempts, String detail) {
    boolean isFinal() {
      return kind.storedState() != null;
    }

    @Override
    public String toString() {
      return kind
          + (invocationId == null ? "" : " " + invocationId)
          + " after "
          + attempts
          + " attempt(s)"
          + (detail == null ? "" : ": " + detail);
    }
  }

  /**
   * The gateways now serving (one at a time in {@link CrashUnderLoadTest}, several nodes in {@link
   * ThreeNodesUnderLoadTest}), taken in turn; writers wait here while none serves.
   */
  static final class Gateways {
    private final List<ServeProcess> serving = new ArrayList<>();
    private int turn;
    private long ups;

    synchronized void up(ServeProcess gateway) {
      serving.add(gateway);
      ups++;
      notifyAll();
    }

    /** None serves (all are about to be killed). */
    synchronized void down() {
      serving.clear();
    }

    /** {@code gateway} serves no more (it is about to be killed); the others go on. */
    synchronized void down(ServeProcess gateway) {
      serving.remove(gateway);
    }

    /** The gateways serving now. */
    synchronized List<ServeProcess> serving() {
      return List.copyOf(serving);
    }

    /**
     * The next serving gateway other than {@code not} (null: any), in turn, or null if none comes
     * by {@code deadline} (nanoTime).
     */
    synchronized ServeProcess await(ServeProcess not, long deadline) throws InterruptedException {
      for (; ; ) {
        List<ServeProcess> others = serving.stream().filter(g -> g != not).toList();
        if (!others.isEmpty()) {
          return others.get(Math.floorMod(turn++, others.size()));
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    /**
     * Waits {@code wait}, or less if another gateway starts serving meanwhile (after a kill, the
     * writer need not wait out a pause the dead one asked for).
     */
    synchronized void pause(Duration wait) throws InterruptedException {
      long deadline = System.nanoTime() + wait.toNanos();
      long seen = ups;
      while (ups == seen && System.nanoTime() < deadline) {
        TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
      }
    }
  }

  final AtomicInteger replays = new AtomicInteger();
  final AtomicInteger lostConnections = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger unavailable = new AtomicInteger();
  final AtomicInteger parked = new AtomicInteger();
  final AtomicInteger sessions = new AtomicInteger();
  final AtomicInteger mcpCalls = new AtomicInteger();

  private final long seed;
  private final Gateways gateways;
  private final Runnable answered;
  private final Duration giveUpAfterKills;
  private volatile long giveUpAt = Long.MAX_VALUE;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final Map<String, Key> keys = new ConcurrentHashMap<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private volatile boolean killerDone;

  /**
   * {@code answered} is told of every HTTP answer a writer gets; a key without a final answer
   * {@code giveUpAfterKills} after the last restart is given up (the run has failed by then).
   */
  RetryingWriters(long seed, Gateways gateways, Runnable answered, Duration giveUpAfterKills) {
    this.seed = seed;
    this.gateways = gateways;
    this.answered = answered;
    this.giveUpAfterKills = giveUpAfterKills;
  }

  /**
   * The gateway serving now will serve to the end: a writer stops once it has settled its {@code
   * minKeys}.
   */
  void killerDone() {
    giveUpAt = System.nanoTime() + giveUpAfterKills.toNanos();
    killerDone = true;
  }

  /**
   * Writer {@code writer}'s loop: key after key until the kills are over and it has settled {@code
   * minKeys}.
   */
  void run(int writer, int minKeys) {
    run(writer, minKeys, new RestDoor(), "w", 1000);
  }

  /**
   * Like {@link #run(int, int)}, through one MCP session that hops between the serving nodes; the
   * allowed amounts stay at or below {@code allowedUpTo} (a call an MCP client is held on while it
   * awaits a person is {@link ThreeNodesUnderLoadTest}'s REST writers' part).
   */
  void runMcp(int writer, int minKeys, int allowedUpTo) {
    run(writer, minKeys, new McpDoor(), "m", allowedUpTo);
  }

  private void run(int writer, int minKeys, Door door, String prefix, int allowedUpTo) {
    Random draws = new Random(seed * 31 + writer);
    try {
      for (int i = 0; (!killerDone || i < minKeys) && System.nanoTime() < giveUpAt; i++) {
        int amount =
            draws.nextInt(6) == 0 ? 1001 + draws.nextInt(5000) : 1 + draws.nextInt(allowedUpTo);
        Key key =
            new Key(
                prefix + "%d-%03d".formatted(writer, i),
                "ACME-" + draws.nextInt(50),
                amount,
                i % 2 == 1);
        keys.put(key.name(), key);
        answers.put(key.name(), settle(key, door));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every key any writer sent, by name, sorted. */
  Map<String, Key> keys() {
    return new TreeMap<>(keys);
  }

  /** Every key's answer, by key, sorted. */
  Map<String, Answer> answers() {
    return new TreeMap<>(answers);
  }

  /** The state {@code GET /v1/invocations/{id}} shows on {@code gateway}, if it answers. */
  Optional<String> storedState(ServeProcess gateway, String invocationId)
      throws InterruptedException {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(gateway.uri("/v1/invocations/" + invocationId))
                  .timeout(Duration.ofSeconds(60))
                  .header("Authorization", "Bearer " + GatewayFixture.SUPPORT_KEY)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200
          ? Optional.of(JSON.readTree(r.body()).path("state").asString(""))
          : Optional.empty();
    } catch (IOException | JacksonException e) {
      return Optional.empty();
    }
  }

  private Answer settle(Key key, Door door) throws InterruptedException {
    int attempts = 0;
    String last = null;
    ServeProcess gateway;
    while ((gateway = gateways.await(null, giveUpAt)) != null) {
      attempts++;
      Reply reply = door.send(gateway, key);
      if (reply instanceof Reply.Lost lost) {
        lostConnections.incrementAndGet();
        last = "lost connection: " + lost.why();
        gateways.await(
            gateway, Math.min(giveUpAt, System.nanoTime() + Duration.ofSeconds(1).toNanos()));
        continue;
      }
      answered.run();
      switch (reply) {
        case Reply.Completed c -> {
          if (c.replayed()) {
            replays.incrementAndGet();
          }
          return new Answer(key.name(), Kind.COMPLETED, c.invocationId(), attempts, null);
        }
        case Reply.Refused r -> {
          return new Answer(key.name(), Kind.REFUSED, r.invocationId(), attempts, null);
        }
        case Reply.InFlight f -> {
          if (storedState(gateway, f.firstInvocationId())
              .orElse("")
              .equals(Kind.NEEDS_RECONCILIATION.storedState())) {
            return new Answer(
                key.name(), Kind.NEEDS_RECONCILIATION, f.firstInvocationId(), attempts, null);
          }
          inFlight.incrementAndGet();
          gateways.pause(RETRY_WAIT);
        }
        case Reply.Parked p -> {
          // held for a person: the approver decides it on some node; ask again until it has ended
          parked.incrementAndGet();
          gateways.pause(RETRY_WAIT);
        }
        case Reply.Unavailable u -> {
          unavailable.incrementAndGet();
          gateways.pause(RETRY_WAIT);
        }
        case Reply.Unexpected u -> {
          return new Answer(key.name(), Kind.UNEXPECTED, u.invocationId(), attempts, u.detail());
        }
        case Reply.Lost l -> throw new AssertionError("handled above");
      }
    }
    return new Answer(key.name(), Kind.NO_ANSWER, null, attempts, last);
  }

  /** What one attempt at a key got back, whichever door it went through. */
  sealed interface Reply {
    record Completed(String invocationId, boolean replayed) implements Reply {}

    record Refused(String invocationId) implements Reply {}

    record InFlight(String firstInvocationId) implements Reply {}

    record Parked(String invocationId) implements Reply {}

    record Unavailable() implements Reply {}

    record Lost(String why) implements Reply {}

    record Unexpected(String invocationId, String detail) implements Reply {}
  }

  /** How a writer reaches a gateway: REST, or an MCP session that hops from node to node. */
  interface Door {
    Reply send(ServeProcess gateway, Key key) throws InterruptedException;
  }

  /** {@code POST /v1/tools/{tool}:invoke} with the key as {@code Idempotency-Key}. */
  final class RestDoor implements Door {
    @Override
    public Reply send(ServeProcess gateway, Key key) throws InterruptedException {
      HttpResponse<String> r;
      try {
        r = http.send(invoke(gateway, key), HttpResponse.BodyHandlers.ofString());
      } catch (IOException lost) {
        return new Reply.Lost(lost.toString());
      }
      String detail = r.statusCode() + " " + r.body();
      JsonNode body;
      try {
        body = JSON.readTree(r.body());
      } catch (JacksonException notJson) {
        return new Reply.Unexpected(null, detail);
      }
      String type = body.path("type").asString("");
      String id = body.path("invocationId").asString(null);
      if (r.statusCode() == 200 && body.path("state").asString("").equals("completed")) {
        return new Reply.Completed(id, r.headers().firstValue("Idempotent-Replayed").isPresent());
      }
      if (r.statusCode() == 403 && type.equals(PROBLEM + "denied-by-policy")) {
        return new Reply.Refused(id);
      }
      if (r.statusCode() == 409 && type.equals(PROBLEM + "idempotency-key-in-flight")) {
        return new Reply.InFlight(body.path("firstInvocationId").asString(""));
      }
      if (r.statusCode() == 202 && body.path("state").asString("").equals("awaiting-approval")) {
        return new Reply.Parked(id);
      }
      if (r.statusCode() == 503) {
        return new Reply.Unavailable();
      }
      return new Reply.Unexpected(id, detail);
    }
  }

  /**
   * {@code tools/call} in one MCP session (revision 2025-11-25) that the writer opens on the first
   * gateway it reaches and then uses on whichever node serves each attempt, the key in {@code
   * _meta["portcullis/idempotencyKey"]}. A session the gateways no longer know is unexpected: the
   * sessions are in the shared store, so a node's death must not end them.
   */
  final class McpDoor implements Door {
    private String session;
    private int requests;

    @Override
    public Reply send(ServeProcess gateway, Key key) throws InterruptedException {
      try {
        if (session == null) {
          HttpResponse<String> opened =
              http.send(
                  mcp(gateway, null, rpc("initialize", INITIALIZE)),
                  HttpResponse.BodyHandlers.ofString());
          if (opened.statusCode() != 200) {
            return opened.statusCode() == 503
                ? new Reply.Unavailable()
                : new Reply.Unexpected(null, "initialize: " + opened.statusCode() + opened.body());
          }
          session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
          sessions.incrementAndGet();
          http.send(
              mcp(
                  gateway,
                  session,
                  "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
              HttpResponse.BodyHandlers.discarding());
        }
        HttpResponse<String> r =
            http.send(mcp(gateway, session, call(key)), HttpResponse.BodyHandlers.ofString());
        mcpCalls.incrementAndGet();
        return read(r);
      } catch (IOException lost) {
        return new Reply.Lost(lost.toString());
      }
    }

    private Reply read(HttpResponse<String> r) {
      String detail = r.statusCode() + " " + r.body();
      if (r.statusCode() == 503) {
        return new Reply.Unavailable();
      }
      JsonNode result;
      try {
        result = JSON.readTree(r.body()).path("result");
      } catch (JacksonException notJson) {
        return new Reply.Unexpected(null, detail);
      }
      if (r.statusCode() != 200 || !result.isObject()) {
        return new Reply.Unexpected(null, detail);
      }
      JsonNode error = result.path("structuredContent").path("error");
      String type = error.path("type").asString("");
      if (!result.path("isError").asBoolean(false)) {
        if (result
            .path("structuredContent")
            .path("status")
            .asString("")
            .equals("awaiting-approval")) {
          return new Reply.Parked(result.path("structuredContent").path("invocationId").asString());
        }
        return new Reply.Completed(
            result.path("_meta").path("portcullis/invocationId").asString(null), false);
      }
      if (type.equals(PROBLEM + "denied-by-policy")) {
        return new Reply.Refused(error.path("invocationId").asString(null));
      }
      if (type.equals(PROBLEM + "idempotency-key-in-flight")) {
        return new Reply.InFlight(error.path("invocations").path(0).asString(""));
      }
      return new Reply.Unexpected(error.path("invocationId").asString(null), detail);
    }

    private String rpc(String method, String params) {
      return "{\"jsonrpc\":\"2.0\",\"id\":"
          + ++requests
          + ",\"method\":\""
          + method
          + "\",\"params\":"
          + params
          + "}";
    }

    private String call(Key key) {
      return rpc(
          "tools/call",
          "{\"name\":\""
              + key.tool()
              + "\",\"arguments\":"
              + key.arguments()
              + ",\"_meta\":{\"portcullis/idempotencyKey\":\""
              + key.name()
              + "\"}}");
    }
  }

  private static final String INITIALIZE =
      "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
          + "\"clientInfo\":{\"name\":\"retrying-writer\",\"version\":\"0\"}}";

  private static HttpRequest mcp(ServeProcess gateway, String session, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.uri("/mcp"))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + GatewayFixture.SUPPORT_KEY)
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
    }
    return b.build();
  }

  private static HttpRequest invoke(ServeProcess gateway, Key key) {
    return HttpRequest.newBuilder(gateway.uri("/v1/tools/" + key.tool() + ":invoke"))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + GatewayFixture.SUPPORT_KEY)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key.name())
        .POST(HttpRequest.BodyPublishers.ofString(key.body()))
        .build();
  }
}
