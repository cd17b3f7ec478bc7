package dev.portcullis.cli;

import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.ServeProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * The clients of {@link CrashUnderLoadTest}: writers that each send payments under keys of their
 * own ({@code w2-007}, amounts drawn from the seed, one in six over the forbidden 1000) to
 * whichever gateway is serving, and retry each key with the same body until it has a final answer.
 * Every other key ({@code w2-001}, {@code w2-003}, …) pays through {@code payments_send_keyed},
 * whose connector declares that its upstream honours idempotency keys, so a restart re-sends it.
 *
 * <p>Final: {@code 200} (completed, first time or replayed), {@code 403 denied-by-policy} (refused;
 * the call keeps its key, so a retry is refused again), or {@code 409 idempotency-key-in-flight}
 * naming a call that {@code GET /v1/invocations/{id}} shows as {@code needs-reconciliation}. Not
 * final, retried: a lost connection (the gateway was killed; the writer waits for the next one), a
 * {@code 503}, and in-flight for a call still executing. Anything else is unexpected and ends the
 * key with that answer, for the test to report.
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

    String body() {
      return "{\"arguments\":{\"payee\":\""
          + payee
          + "\",\"amount\":"
          + amount
          + ",\"reference\":\""
          + name
          + "\"}}";
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

  /** The gateway now serving, or none while it is down; writers wait here for the next one. */
  static final class Gateways {
    private ServeProcess current;

    synchronized void up(ServeProcess gateway) {
      current = gateway;
      notifyAll();
    }

    synchronized void down() {
      current = null;
    }

    /**
     * A serving gateway other than {@code not} (null: any), or null if none comes by {@code
     * deadline} (nanoTime).
     */
    synchronized ServeProcess await(ServeProcess not, long deadline) throws InterruptedException {
      while ((current == null || current == not) && System.nanoTime() < deadline) {
        TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
      }
      return current == not ? null : current;
    }
  }

  final AtomicInteger replays = new AtomicInteger();
  final AtomicInteger lostConnections = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger unavailable = new AtomicInteger();

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
    Random draws = new Random(seed * 31 + writer);
    try {
      for (int i = 0; (!killerDone || i < minKeys) && System.nanoTime() < giveUpAt; i++) {
        int amount = draws.nextInt(6) == 0 ? 1001 + draws.nextInt(5000) : 1 + draws.nextInt(1000);
        Key key =
            new Key(
                "w%d-%03d".formatted(writer, i), "ACME-" + draws.nextInt(50), amount, i % 2 == 1);
        keys.put(key.name(), key);
        answers.put(key.name(), settle(key));
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

  private Answer settle(Key key) throws InterruptedException {
    int attempts = 0;
    String last = null;
    ServeProcess gateway;
    while ((gateway = gateways.await(null, giveUpAt)) != null) {
      attempts++;
      HttpResponse<String> r;
      try {
        r = http.send(invoke(gateway, key), HttpResponse.BodyHandlers.ofString());
      } catch (IOException lost) {
        lostConnections.incrementAndGet();
        last = "lost connection: " + lost;
        gateways.await(
            gateway, Math.min(giveUpAt, System.nanoTime() + Duration.ofSeconds(1).toNanos()));
        continue;
      }
      answered.run();
      last = r.statusCode() + " " + r.body();
      JsonNode body;
      try {
        body = JSON.readTree(r.body());
      } catch (JacksonException notJson) {
        return new Answer(key.name(), Kind.UNEXPECTED, null, attempts, last);
      }
      String type = body.path("type").asString("");
      if (r.statusCode() == 200 && body.path("state").asString("").equals("completed")) {
        if (r.headers().firstValue("Idempotent-Replayed").isPresent()) {
          replays.incrementAndGet();
        }
        return new Answer(
            key.name(), Kind.COMPLETED, body.path("invocationId").asString(), attempts, null);
      }
      if (r.statusCode() == 403 && type.equals(PROBLEM + "denied-by-policy")) {
        return new Answer(
            key.name(), Kind.REFUSED, body.path("invocationId").asString(), attempts, null);
      }
      if (r.statusCode() == 409 && type.equals(PROBLEM + "idempotency-key-in-flight")) {
        String first = body.path("firstInvocationId").asString("");
        if (storedState(gateway, first)
            .orElse("")
            .equals(Kind.NEEDS_RECONCILIATION.storedState())) {
          return new Answer(key.name(), Kind.NEEDS_RECONCILIATION, first, attempts, null);
        }
        inFlight.incrementAndGet();
        gateways.await(gateway, Math.min(giveUpAt, System.nanoTime() + RETRY_WAIT.toNanos()));
        continue;
      }
      if (r.statusCode() == 503) {
        unavailable.incrementAndGet();
        gateways.await(gateway, Math.min(giveUpAt, System.nanoTime() + RETRY_WAIT.toNanos()));
        continue;
      }
      return new Answer(
          key.name(), Kind.UNEXPECTED, body.path("invocationId").asString(null), attempts, last);
    }
    return new Answer(key.name(), Kind.NO_ANSWER, null, attempts, last);
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
