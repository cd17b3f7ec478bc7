package dev.portcullis.cli;

import dev.portcullis.invocation.InvocationState;
import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.PaymentsUpstream;
import dev.portcullis.testing.Postgres;
import dev.portcullis.testing.ServeProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three real {@code serve} processes on one PostgreSQL store, each with its own data directory,
 * behind the test's own round-robin: REST writers and MCP writers (whose sessions hop from node to
 * node) pay under idempotency keys, some payments wait for a person whom an approver thread plays
 * on whichever node comes next, and one node is killed with SIGKILL mid-load and not restarted: at
 * a seeded moment, the node that runs the write the upstream has just executed, before the upstream
 * answers it. The writers go on through the two that are left, retrying each key until it has a
 * final answer.
 *
 * <p>Afterwards: every key has a final answer that the store agrees with; no write reached the
 * upstream twice (in the strict form {@link CrashUnderLoadTest} explains); no call is left
 * unfinished in the store (what the dead node was running was settled by another node once its
 * lease lapsed: completed by a keyed re-send, or flagged for reconciliation; what it had parked was
 * approved and run on another node); {@code audit verify --store} passes on the one chain the three
 * wrote; and the survivors printed no ERROR. The seed is printed; {@code -Dportcullis.crashSeed=N}
 * replays the moment and the victim (not the interleaving).
 */
class ThreeNodesUnderLoadTest {
  private static final int REST_WRITERS = 4;
  private static final int MCP_WRITERS = 2;
  private static final int MIN_KEYS_PER_WRITER = 12;
  private static final int WARM_UP_ANSWERS = 30;

  /** Allowed payments over this amount wait for a person (and MCP writers stay at or below it). */
  private static final int APPROVAL_OVER = 900;

  /**
   * Generous: a key the dead node was running stays in flight until its lease (15 s) lapses and a
   * survivor's next sweep (every 3 s) settles it.
   */
  private static final Duration WRITERS_GIVE_UP_AFTER_KILL = Duration.ofMinutes(2);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;
  private PaymentsUpstream upstream;
  private final CrashUnderLoadTest.Progress progress = new CrashUnderLoadTest.Progress();
  private final RetryingWriters.Gateways gateways = new RetryingWriters.Gateways();
  private final List<ServeProcess> nodes = new ArrayList<>();
  private final Killer killer = new Killer();

  @AfterEach
  void stopAll() {
    nodes.forEach(ServeProcess::close);
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  @Timeout(
      value = 8,
      unit = TimeUnit.MINUTES) // a backstop for a stuck run; a run takes about 1 min
  void threeNodesUnderLoadLoseNoCallAndRunNoneTwiceWhenOneIsKilled() throws Exception {
    long seed = Long.getLong("portcullis.crashSeed", System.nanoTime());
    System.out.println(
        "ThreeNodesUnderLoadTest seed "
            + seed
            + " (replay its schedule with -Dportcullis.crashSeed="
            + seed
            + "), PostgreSQL: "
            + Postgres.description());
    Random schedule = new Random(seed);
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    upstream =
        PaymentsUpstream.start(
            write -> {
              progress.wrote();
              killer.onWrite(write, db);
            });
    Path config = writeConfig(db, upstream.baseUrl());
    for (int n = 0; n < 3; n++) {
      nodes.add(ServeProcess.launch(config, dir.resolve("node-" + n)));
    }
    for (ServeProcess node : nodes) {
      gateways.up(node.awaitReady());
    }
    RetryingWriters writers =
        new RetryingWriters(seed, gateways, progress::answered, WRITERS_GIVE_UP_AFTER_KILL);
    Approver approver = new Approver();

    Map<String, Integer> leftByVictim;
    List<Future<?>> running = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(REST_WRITERS + MCP_WRITERS + 1)) {
      Future<?> approving = threads.submit(approver);
      for (int w = 0; w < REST_WRITERS + MCP_WRITERS; w++) {
        int writer = w;
        running.add(
            threads.submit(
                () -> {
                  if (writer < REST_WRITERS) {
                    writers.run(writer, MIN_KEYS_PER_WRITER);
                  } else {
                    writers.runMcp(writer, MIN_KEYS_PER_WRITER, APPROVAL_OVER);
                  }
                }));
      }
      progress.awaitMore(
          new CrashUnderLoadTest.Moment(
              CrashUnderLoadTest.Moment.Kind.AFTER_ANSWERS, WARM_UP_ANSWERS),
          Duration.ofMinutes(2));
      CrashUnderLoadTest.Moment moment = CrashUnderLoadTest.Moment.draw(schedule);
      if (moment.kind() == CrashUnderLoadTest.Moment.Kind.IN_RECOVERY) {
        moment = new CrashUnderLoadTest.Moment(CrashUnderLoadTest.Moment.Kind.AFTER_WRITES, 1);
      }
      progress.awaitMore(moment, Duration.ofMinutes(2));
      ServeProcess victim = killer.killAtNextWrite(Duration.ofMinutes(2));
      leftByVictim = statesOf(db, victim.node().orElseThrow());
      System.out.printf(
          "  killed node %s (pid %d) after %d more %s, while it ran a write the upstream had"
              + " executed and not yet answered; it left, by state: %s%n",
          victim.node().orElseThrow(),
          victim.pid(),
          moment.count(),
          moment.kind() == CrashUnderLoadTest.Moment.Kind.AFTER_WRITES
              ? "upstream writes"
              : "client answers",
          leftByVictim);
      writers.killerDone();
      for (Future<?> f : running) {
        f.get(WRITERS_GIVE_UP_AFTER_KILL.toSeconds() + 60, TimeUnit.SECONDS);
      }
      approver.stop();
      approving.get(60, TimeUnit.SECONDS);
    }

    List<ServeProcess> survivors = gateways.serving();
    WritesVerdict verdict = new WritesVerdict(writers, survivors.getFirst(), upstream);
    Map<String, Integer> unfinished = unfinishedStates(db);
    Map<String, Integer> victimsNow = statesOf(db, killer.victim().node().orElseThrow());
    System.out.printf(
        "ThreeNodesUnderLoadTest seed %d: %d keys from %d REST and %d MCP writers (%d MCP sessions,"
            + " %d MCP calls): %d completed (%d answered by replay), %d refused, %d"
            + " needs-reconciliation; %d parked for approval, %d approved (%d approvals lost with"
            + " the node); %d upstream writes; retried %d lost connections, %d in-flight and %d"
            + " unavailable answers; the dead node's calls now, by state: %s; left unfinished in"
            + " the store: %s%n",
        seed,
        verdict.keys.size(),
        REST_WRITERS,
        MCP_WRITERS,
        writers.sessions.get(),
        writers.mcpCalls.get(),
        verdict.count(RetryingWriters.Kind.COMPLETED),
        writers.replays.get(),
        verdict.count(RetryingWriters.Kind.REFUSED),
        verdict.count(RetryingWriters.Kind.NEEDS_RECONCILIATION),
        writers.parked.get(),
        approver.approved.get(),
        approver.lost.get(),
        upstream.writes().size(),
        writers.lostConnections.get(),
        writers.inFlight.get(),
        writers.unavailable.get(),
        victimsNow,
        unfinished);

    gateways.down();
    List<String> errors =
        survivors.stream()
            .flatMap(g -> g.lines().stream())
            .filter(l -> l.contains(" ERROR ") || l.startsWith("Exception in thread"))
            .toList();
    CliRun verify = CliRun.of("audit", "verify", "--store", db.url(), "--store-user", db.user());

    SoftAssertions.assertSoftly(
        soft -> {
          String run = " (seed " + seed + ")";
          verdict.check(soft, run);
          soft.assertThat(leftByVictim)
              .as("the killed node left the write it ran executing" + run)
              .containsKey("EXECUTING");
          soft.assertThat(writers.parked.get())
              .as("payments over " + APPROVAL_OVER + " were parked for a person" + run)
              .isPositive();
          soft.assertThat(writers.sessions.get())
              .as("one MCP session per MCP writer, kept across the kill" + run)
              .isEqualTo(MCP_WRITERS);
          soft.assertThat(unfinished)
              .as(
                  "calls left unfinished in the store (the dead node's were to be settled by the"
                      + " others)"
                      + run)
              .isEmpty();
          soft.assertThat(verify.exitCode())
              .as("audit verify --store" + run + ": " + verify.out() + verify.err())
              .isZero();
          soft.assertThat(verify.out()).as("audit verify" + run).contains("audit chain intact");
          soft.assertThat(errors).as("ERROR lines the surviving nodes printed" + run).isEmpty();
        });
  }

  private Path writeConfig(PostgresDatabase.Settings db, String upstreamUrl) throws IOException {
    return CrashUnderLoadTest.paymentsConfig(
        dir,
        upstreamUrl,
        """
          - id: large-payments-need-a-person
            effect: require_approval
            target: {tools: [payments_send, payments_send_keyed]}
            when: args.amount > %d
        """
            .formatted(APPROVAL_OVER),
        """
        approvers:
          - id: ops-olivia
            keys: [sha256:e76daf5eb80d0629b7dd16117179f84d57fe79baccc82b46cbf4e03745c53e35]
        approvals:
          timeout: 1h
        store:
          type: postgres
          url: %s
          user: %s
        """
            .formatted(db.url(), db.user()));
  }

  /** How many calls of {@code node} the store holds, by state. */
  private static Map<String, Integer> statesOf(PostgresDatabase.Settings db, String node)
      throws SQLException {
    return count(db, "SELECT state, count(*) FROM invocations WHERE node = ? GROUP BY state", node);
  }

  /** The calls in the store that have not ended and are not flagged for an operator, by state. */
  private static Map<String, Integer> unfinishedStates(PostgresDatabase.Settings db)
      throws SQLException {
    Map<String, Integer> all =
        count(db, "SELECT state, count(*) FROM invocations GROUP BY state", null);
    all.keySet()
        .removeIf(
            s ->
                InvocationState.valueOf(s).isTerminal()
                    || InvocationState.valueOf(s) == InvocationState.NEEDS_RECONCILIATION);
    return all;
  }

  private static Map<String, Integer> count(
      PostgresDatabase.Settings db, String sql, String parameter) throws SQLException {
    Map<String, Integer> states = new TreeMap<>();
    try (Connection c = Postgres.superuser(db);
        PreparedStatement s = c.prepareStatement(sql)) {
      if (parameter != null) {
        s.setString(1, parameter);
      }
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          states.put(r.getString(1), r.getInt(2));
        }
      }
    }
    return states;
  }

  /**
   * Kills the node that runs the write the upstream has just executed, before the upstream answers
   * it: the hardest moment, an effect that happened and a gateway that never learns of it. Armed by
   * the test's thread; fired on the upstream's thread (which holds its answer meanwhile), once.
   */
  private final class Killer {
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CompletableFuture<ServeProcess> killed = new CompletableFuture<>();

    /** Arms it and waits until it has killed a node; answers that node. */
    ServeProcess killAtNextWrite(Duration within) throws Exception {
      armed.set(true);
      return killed.get(within.toSeconds(), TimeUnit.SECONDS);
    }

    ServeProcess victim() {
      return killed.getNow(null);
    }

    void onWrite(PaymentsUpstream.Write write, PostgresDatabase.Settings db) {
      if (!armed.compareAndSet(true, false)) {
        return;
      }
      try {
        String node = runningNode(db, write.reference());
        ServeProcess victim =
            node == null
                ? null
                : nodes.stream()
                    .filter(n -> n.node().orElse("").equals(node))
                    .findFirst()
                    .orElse(null);
        if (victim == null) {
          armed.set(true); // not found executing (it cannot be, but then the next write)
          return;
        }
        gateways.down(victim);
        victim.kill();
        killed.complete(victim);
      } catch (SQLException | InterruptedException | RuntimeException e) {
        killed.completeExceptionally(e);
      }
    }

    /** The node whose call under idempotency key {@code key} is executing, if any. */
    private static String runningNode(PostgresDatabase.Settings db, String key)
        throws SQLException {
      try (Connection c = Postgres.superuser(db);
          PreparedStatement s =
              c.prepareStatement(
                  "SELECT node FROM invocations WHERE idempotency_key = ? AND state = 'EXECUTING'")) {
        s.setString(1, key);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? r.getString(1) : null;
        }
      }
    }
  }

  /**
   * A person who approves every pending request, asking whichever node comes next (a request made
   * on one node is listed and approved on another; the approved call runs on the approving node).
   * An answer lost with a killed node is counted and the request is found again at the next look.
   */
  private final class Approver implements Runnable {
    final AtomicInteger approved = new AtomicInteger();
    final AtomicInteger lost = new AtomicInteger();
    private volatile boolean stopped;
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    void stop() {
      stopped = true;
    }

    @Override
    public void run() {
      try {
        while (!stopped) {
          ServeProcess node =
              gateways.await(null, System.nanoTime() + Duration.ofSeconds(1).toNanos());
          if (node != null) {
            approveAllOn(node);
          }
          TimeUnit.MILLISECONDS.sleep(150);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        http.close();
      }
    }

    private void approveAllOn(ServeProcess node) throws InterruptedException {
      try {
        HttpResponse<String> pending =
            http.send(
                request(node, "/v1/approvals?status=pending").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (pending.statusCode() != 200) {
          return;
        }
        for (JsonNode a : JSON.readTree(pending.body()).path("approvals")) {
          HttpResponse<String> decided =
              http.send(
                  request(node, "/v1/approvals/" + a.path("approvalId").asString() + ":approve")
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (decided.statusCode() == 200) {
            approved.incrementAndGet();
          }
        }
      } catch (IOException | JacksonException e) {
        lost.incrementAndGet();
      }
    }

    private static HttpRequest.Builder request(ServeProcess node, String path) {
      return HttpRequest.newBuilder(node.uri(path))
          .timeout(Duration.ofSeconds(60))
          .header("Authorization", "Bearer " + GatewayFixture.APPROVER_KEY);
    }
  }
}
