package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.NodeSignals;
import dev.portcullis.invocation.NodeSignals.Signal;
import dev.portcullis.testing.Postgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The nodes' signals over a real PostgreSQL: a signal sent by one node reaches another, one sent in
 * a transaction that rolls back never does, installations in other schemas hear nothing, and a
 * listening connection that the server terminates is opened again (and says signals were missed).
 */
class PostgresSignalsTest {
  private static final String INVOCATION = "0190f2a0-0000-7000-8000-000000000001";

  /** What one node's listener heard. */
  private static final class Heard implements NodeSignals.Listener {
    final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    final AtomicInteger missed = new AtomicInteger();

    @Override
    public void signalled(Signal signal) {
      signals.add(signal);
    }

    @Override
    public void missed() {
      missed.incrementAndGet();
    }

    Signal next() throws InterruptedException {
      Signal s = signals.poll(10, TimeUnit.SECONDS);
      assertThat(s).as("a signal within 10 s").isNotNull();
      return s;
    }
  }

  @Test
  void aSignalSentByOneNodeReachesTheOtherAndAnUnknownOneIsIgnored() throws Exception {
    PostgresDatabase.Settings settings = Postgres.freshDatabase();
    try (PostgresDatabase a = PostgresDatabase.open(settings);
        PostgresDatabase b = PostgresDatabase.open(settings)) {
      Heard heard = new Heard();
      try (NodeSignals.Subscription _ = b.signals().listen(heard)) {
        Postgres.awaitListening(settings, 1);

        try (Connection c = a.dataSource().getConnection();
            PreparedStatement ps =
                c.prepareStatement(
                    "SELECT pg_notify('portcullis.' || current_schema(), 'what-is-this')")) {
          ps.execute();
        }
        a.signals().send(Signal.approvalDecided(INVOCATION));
        a.signals().send(Signal.of(NodeSignals.Topic.POLICY));

        assertThat(heard.next()).isEqualTo(Signal.approvalDecided(INVOCATION));
        assertThat(heard.next()).isEqualTo(Signal.of(NodeSignals.Topic.POLICY));
      }
    }
  }

  @Test
  void aSignalInATransactionThatRollsBackIsNeverSentAndOtherSchemasHearNothing() throws Exception {
    PostgresDatabase.Settings settings = Postgres.freshDatabase();
    PostgresDatabase.Settings other = Postgres.freshDatabase();
    try (PostgresDatabase a = PostgresDatabase.open(settings);
        PostgresDatabase b = PostgresDatabase.open(settings);
        PostgresDatabase elsewhere = PostgresDatabase.open(other)) {
      Heard heard = new Heard();
      try (NodeSignals.Subscription _ = b.signals().listen(heard)) {
        Postgres.awaitListening(settings, 1);

        try (Connection c = a.dataSource().getConnection()) {
          c.setAutoCommit(false);
          PostgresSignals.within(c, Dialect.POSTGRES, Signal.of(NodeSignals.Topic.TOOLS));
          c.rollback();
          c.setAutoCommit(true);
        }
        elsewhere.signals().send(Signal.of(NodeSignals.Topic.TOOLS));
        a.signals().send(Signal.of(NodeSignals.Topic.POLICY));

        assertThat(heard.next())
            .as("the first signal heard is the last one sent")
            .isEqualTo(Signal.of(NodeSignals.Topic.POLICY));
      }
    }
  }

  @Test
  void aListenerWhoseConnectionIsTerminatedReconnectsAndHearsAgain() throws Exception {
    PostgresDatabase.Settings settings = Postgres.freshDatabase();
    try (PostgresDatabase a = PostgresDatabase.open(settings);
        PostgresDatabase b = PostgresDatabase.open(settings)) {
      Heard heard = new Heard();
      try (NodeSignals.Subscription _ = b.signals().listen(heard)) {
        int before = Postgres.awaitListening(settings, 1);
        awaitMissed(heard, 1);

        assertThat(Postgres.terminateListeners(settings)).isEqualTo(1);

        awaitMissed(heard, 2); // reconnected, and told its followers to read everything again
        assertThat(Postgres.awaitListening(settings, 1)).as("a new backend").isNotEqualTo(before);
        a.signals().send(Signal.approvalDecided(INVOCATION));
        assertThat(heard.next()).isEqualTo(Signal.approvalDecided(INVOCATION));
      }
    }
  }

  private static void awaitMissed(Heard heard, int times) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (heard.missed.get() < times) {
      assertThat(System.nanoTime() - deadline).as("reconnected within 10 s").isNegative();
      Thread.sleep(20);
    }
  }
}
