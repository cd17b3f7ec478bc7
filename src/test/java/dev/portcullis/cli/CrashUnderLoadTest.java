package dev.portcullis.cli;

import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.PaymentsUpstream;
import dev.portcullis.testing.ServeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers with idempotency keys keep a real {@code serve} process busy while it is killed with
 * SIGKILL three to five times at seeded moments and restarted on the same data; every writer
 * retries each key, with the same body, until it has a final answer. Afterwards every key has one,
 * the store agrees with it, {@code audit verify} passes (the chain, and each call's row against its
 * last record), and no write reached the upstream twice. What counts as a final answer is {@link
 * RetryingWriters}'s to say; the tally (completed, refused, needs-reconciliation, kills) is
 * printed.
 *
 * <p>"Reached the upstream twice" is asserted in its strict form. Half the keys pay through an
 * upstream endpoint that does not deduplicate ({@link PaymentsUpstream}): every request it records
 * was executed. The gateway sends one derived key ({@code pcl1-…}) per tenant, agent and key, the
 * same across restarts, and never sends such a write again on its own: not on the agent's retry (it
 * replays the outcome), not after a restart (a call it found executing awaits reconciliation, whose
 * effect is unknown and which it never re-sends). So no derived key may appear twice in the
 * upstream's record, with no exception: a completed call's key exactly once, a refused call's
 * never, a call awaiting reconciliation's at most once. The other half pay through an endpoint that
 * honours keys, behind a connector that declares so: a call found executing after a restart is
 * re-sent once under its key and recorded with the answer, so its writer's retries get that answer;
 * the gateway must send each such key at most twice (the call, and one re-send), and the upstream
 * must still have executed it at most once.
 *
 * <p>The moments: each kill comes after a seeded number of further upstream writes or client
 * answers, or, when the previous kill left calls executing, at the restarted gateway's first
 * recovery line (so recovery itself is cut short). The seed is printed; {@code
 * -Dportcullis.crashSeed=N} replays a schedule (the moments, not the thread interleaving). Nothing
 * is timed: waits are for events, with generous bounds that only end a run that is already failing.
 */
class CrashUnderLoadTest {
  private static final int WRITERS = 5;
  private static final int MIN_KEYS_PER_WRITER = 12;
  private static final Duration WRITERS_GIVE_UP_AFTER_KILLS = Duration.ofMinutes(2);
  private static final String PAYMENT_SCHEMA =
      "{type: object, properties: {payee: {type: string}, amount: {type: number},"
          + " reference: {type: string}}, required: [payee, amount, reference]}";

  @TempDir Path dir;
  private PaymentsUpstream upstream;
  private final Progress progress = new Progress();
  private final RetryingWriters.Gateways gateways = new RetryingWriters.Gateways();
  private final List<ServeProcess> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(ServeProcess::close);
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES) // a backstop for a stuck run; a run takes 20–40 s
  void writersRetryingThroughRepeatedKillsEachGetOneFinalAnswerAndNoWriteReachesTheUpstreamTwice()
      throws Exception {
    long seed = Long.getLong("portcullis.crashSeed", System.nanoTime());
    System.out.println(
        "CrashUnderLoadTest seed "
            + seed
            + " (replay its schedule with -Dportcullis.crashSeed="
            + seed
            + ")");
    upstream = PaymentsUpstream.start(write -> progress.wrote());
    Path config = writeConfig(upstream.baseUrl());
    Path data = dir.resolve("data");
    RetryingWriters writers =
        new RetryingWriters(seed, gateways, progress::answered, WRITERS_GIVE_UP_AFTER_KILLS);

    Kills kills = writeWhileKilling(writers, new Random(seed), config, data);

    WritesVerdict verdict = new WritesVerdict(writers, kills.last(), upstream);
    Map<String, Long> keyedSends = verdict.keyedSends;
    long resentTwice = keyedSends.values().stream().filter(n -> n > 1).count();
    long resent =
        started.stream()
            .flatMap(g -> g.lines().stream())
            .filter(l -> l.contains("re-sent once"))
            .count();
    long reconciliationReached =
        verdict.answers.values().stream()
            .filter(
                a ->
                    a.kind() == RetryingWriters.Kind.NEEDS_RECONCILIATION
                        && verdict.reached.containsKey(a.key()))
            .count();
    System.out.printf(
        "CrashUnderLoadTest seed %d: %d kills (%d of them during recovery), %d keys from %d writers:"
            + " %d completed (%d of them answered by replay), %d refused, %d needs-reconciliation (%d of them reached"
            + " the upstream); %d upstream writes; %d keyed calls re-sent on recovery (%d of them had"
            + " reached the upstream before); retried %d lost connections, %d in-flight and %d"
            + " unavailable answers%n",
        seed,
        kills.count(),
        kills.inRecovery(),
        verdict.keys.size(),
        WRITERS,
        verdict.count(RetryingWriters.Kind.COMPLETED),
        writers.replays.get(),
        verdict.count(RetryingWriters.Kind.REFUSED),
        verdict.count(RetryingWriters.Kind.NEEDS_RECONCILIATION),
        reconciliationReached,
        upstream.writes().size(),
        resent,
        resentTwice,
        writers.lostConnections.get(),
        writers.inFlight.get(),
        writers.unavailable.get());

    gateways.down();
    kills.last().stop();
    CliRun verify = CliRun.of("audit", "verify", "--data", data.toString());
    List<String> errors =
        started.stream()
            .flatMap(g -> g.lines().stream())
            .filter(l -> l.contains(" ERROR ") || l.startsWith("Exception in thread"))
            .toList();

    SoftAssertions.assertSoftly(
        soft -> {
          String run = " (seed " + seed + ")";
          soft.assertThat(kills.count()).as("kills" + run).isEqualTo(kills.planned());
          verdict.check(soft, run);
          soft.assertThat(verify.exitCode())
              .as("audit verify" + run + ": " + verify.out() + verify.err())
              .isZero();
          soft.assertThat(verify.out()).as("audit verify" + run).contains("audit chain intact");
          soft.assertThat(errors).as("ERROR lines the gateways printed" + run).isEmpty();
        });
  }

  /**
   * How the killing went: kills planned and made, how many cut a recovery short, and the gateway
   * left serving.
   */
  private record Kills(int planned, int count, int inRecovery, ServeProcess last) {}

  /**
   * Starts the writers and a gateway, kills it (SIGKILL) 3–5 times at the moments {@code schedule}
   * draws, each time starting another on the same data, and answers once every writer is done.
   */
  private Kills writeWhileKilling(RetryingWriters writers, Random schedule, Path config, Path data)
      throws Exception {
    int planned = 3 + schedule.nextInt(3);
    int killed = 0;
    int inRecovery = 0;
    ServeProcess gateway = launch(config, data);
    List<Future<?>> running = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(WRITERS)) {
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        running.add(threads.submit(() -> writers.run(writer, MIN_KEYS_PER_WRITER)));
      }
      while (killed < planned) {
        Moment moment = Moment.draw(schedule);
        if (moment.kind() == Moment.Kind.IN_RECOVERY) {
          Optional<String> first =
              gateway.awaitLine(
                  line -> recoveryLine(line) || line.startsWith("Ready."), Duration.ofSeconds(90));
          if (first.isPresent() && recoveryLine(first.get())) {
            gateway.kill();
            killed++;
            inRecovery++;
            System.out.printf(
                "  kill %d: pid %d during recovery, at: %s%n", killed, gateway.pid(), first.get());
            gateway = launch(config, data);
            continue;
          }
          System.out.println(
              "  (drawn: a kill during recovery, but the gateway had nothing to recover)");
          moment = new Moment(Moment.Kind.AFTER_ANSWERS, moment.count());
        }
        gateways.up(gateway.awaitReady());
        progress.awaitMore(moment, Duration.ofMinutes(2));
        gateways.down();
        gateway.kill();
        killed++;
        System.out.printf(
            "  kill %d: pid %d after %d more %s%n",
            killed,
            gateway.pid(),
            moment.count(),
            moment.kind() == Moment.Kind.AFTER_WRITES ? "upstream writes" : "client answers");
        gateway = launch(config, data);
      }
      gateways.up(gateway.awaitReady());
      writers.killerDone();
      for (Future<?> f : running) {
        f.get(WRITERS_GIVE_UP_AFTER_KILLS.toSeconds() + 60, TimeUnit.SECONDS);
      }
    }
    return new Kills(planned, killed, inRecovery, gateway);
  }

  /**
   * The line recovery prints for each call it found EXECUTING, once it has dealt with it (moved it
   * to NEEDS_RECONCILIATION, or re-sent it and recorded the answer); the re-sends run side by side,
   * so a kill at one may cut others short mid-send.
   */
  private static boolean recoveryLine(String line) {
    return line.contains("was EXECUTING when the gateway stopped");
  }

  private ServeProcess launch(Path config, Path data) throws IOException {
    ServeProcess p = ServeProcess.launch(config, data);
    started.add(p);
    return p;
  }

  private Path writeConfig(String upstreamUrl) throws IOException {
    return paymentsConfig(dir, upstreamUrl, "", "");
  }

  /**
   * Payments for the support agent (GatewayFixture.SUPPORT_KEY) in {@code dir}; over 1000
   * forbidden, so some keys end refused. {@code moreRules} is added to the policy's rules and
   * {@code moreConfig} to the gateway's configuration (both YAML, indented as they would be there).
   */
  static Path paymentsConfig(Path dir, String upstreamUrl, String moreRules, String moreConfig)
      throws IOException {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(
        dir.resolve("policies/pay.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: support-pays
            effect: permit
            target:
              agents: [support-assistant]
              tools: [payments_send, payments_send_keyed]
          - id: no-payments-over-1000
            effect: forbid
            target: {tools: [payments_send, payments_send_keyed]}
            when: args.amount > 1000
        """
            + moreRules,
        StandardCharsets.UTF_8);
    Path config = dir.resolve("portcullis.yaml");
    Files.writeString(
        config,
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: Gateway
        agents:
          - id: support-assistant
            tenant: acme
            keys: [sha256:cfc5abe5ab89535cafe1ded4d765d9d3a2e8f2d62682b8bea011bd51d96abef9]
        connectors:
          - name: payments
            type: http
            baseUrl: %s
            timeout: 30s
          - name: payments-keyed
            type: http
            baseUrl: %s
            timeout: 30s
            upstreamHonoursIdempotencyKeys: true
        tools:
          - name: payments_send
            description: Sends a payment. Not idempotent upstream.
            risk: write
            connector: payments
            http: {method: POST, path: /payments}
            inputSchema: %s
          - name: payments_send_keyed
            description: Sends a payment; this endpoint executes one payment per Idempotency-Key.
            risk: write
            connector: payments-keyed
            http: {method: POST, path: /keyed-payments}
            inputSchema: %s
        policies: [policies]
        """
                .formatted(upstreamUrl, upstreamUrl, PAYMENT_SCHEMA, PAYMENT_SCHEMA)
            + moreConfig,
        StandardCharsets.UTF_8);
    return config;
  }

  /**
   * When a kill comes: after {@code count} more upstream writes or client answers, or in the next
   * recovery.
   */
  record Moment(Kind kind, int count) {
    enum Kind {
      AFTER_WRITES,
      AFTER_ANSWERS,
      IN_RECOVERY
    }

    static Moment draw(Random schedule) {
      Kind kind = Kind.values()[schedule.nextInt(Kind.values().length)];
      return new Moment(kind, 1 + schedule.nextInt(30));
    }
  }

  /** Upstream writes and client answers so far; the killer waits here for its moment. */
  static final class Progress {
    private long writes;
    private long answers;

    synchronized void wrote() {
      writes++;
      notifyAll();
    }

    synchronized void answered() {
      answers++;
      notifyAll();
    }

    /**
     * Waits until {@code moment} has come (or {@code within} has passed, in a run that is already
     * stuck).
     */
    synchronized void awaitMore(Moment moment, Duration within) throws InterruptedException {
      boolean byWrites = moment.kind() == Moment.Kind.AFTER_WRITES;
      long target = (byWrites ? writes : answers) + moment.count();
      long deadline = System.nanoTime() + within.toNanos();
      while ((byWrites ? writes : answers) < target && System.nanoTime() < deadline) {
        TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
      }
    }
  }
}
