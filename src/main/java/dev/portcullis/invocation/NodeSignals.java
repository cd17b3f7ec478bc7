package dev.portcullis.invocation;

import java.util.Objects;
import java.util.Optional;

/**
 * Tells the other gateway nodes sharing a store that something they follow changed in it (port):
 * the policy in force, the tool approvals and quarantines, or the approval of one parked call. A
 * signal carries no state, only what to read again: a node that receives one reads the store, which
 * stays the one source of truth, so a lost, late, repeated or forged signal costs at most a read.
 *
 * <p>Failure: best effort. {@link #send} never throws; a signal that cannot be sent is logged, and
 * the receivers' polling finds the change within its own bound. {@link #listen} delivers until its
 * subscription is closed; when it had to reconnect it calls {@link Listener#missed}, since signals
 * sent meanwhile are lost.
 *
 * <p>Concurrency: {@link #send} is safe from any thread. A listener runs on one delivery thread,
 * one signal at a time, never on the sender's thread.
 */
public interface NodeSignals {
  /** What changed. */
  enum Topic {
    /** A policy bundle was published. */
    POLICY("policy"),
    /** A tool was approved or quarantined. */
    TOOLS("tools"),
    /** The approval of the invocation named by the signal's subject was decided. */
    APPROVAL("approval");

    private final String wire;

    Topic(String wire) {
      this.wire = wire;
    }

    /** Its name in a signal's payload. */
    public String wire() {
      return wire;
    }
  }

  /** One signal: a topic and, for {@link Topic#APPROVAL}, the invocation id (else empty). */
  record Signal(Topic topic, String subject) {
    /** The longest subject sent: an invocation id is 36 characters. */
    static final int MAX_SUBJECT = 64;

    public Signal {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(subject, "subject");
      if (subject.length() > MAX_SUBJECT || subject.indexOf(':') >= 0) {
        throw new IllegalArgumentException("a signal's subject is an id of at most 64 characters");
      }
    }

    public static Signal of(Topic topic) {
      return new Signal(topic, "");
    }

    public static Signal approvalDecided(String invocationId) {
      return new Signal(Topic.APPROVAL, invocationId);
    }

    /** The payload sent: {@code topic} or {@code topic:subject}. */
    public String payload() {
      return subject.isEmpty() ? topic.wire() : topic.wire() + ":" + subject;
    }

    /** The signal a payload names, or empty if it names none (it is then ignored). */
    public static Optional<Signal> parse(String payload) {
      if (payload == null) {
        return Optional.empty();
      }
      int colon = payload.indexOf(':');
      String name = colon < 0 ? payload : payload.substring(0, colon);
      String subject = colon < 0 ? "" : payload.substring(colon + 1);
      for (Topic t : Topic.values()) {
        if (t.wire().equals(name)) {
          try {
            return Optional.of(new Signal(t, subject));
          } catch (IllegalArgumentException e) {
            return Optional.empty();
          }
        }
      }
      return Optional.empty();
    }
  }

  /** Receives the signals of every node, this one's included. */
  interface Listener {
    /** {@code signal} was sent; read again what it names. Must not throw. */
    void signalled(Signal signal);

    /**
     * Signals may have been lost (the listening connection was down); read again everything
     * followed. Must not throw.
     */
    void missed();
  }

  /** A registration; closing it stops the deliveries. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /** Sends {@code signal} to every node listening, now; never throws. */
  void send(Signal signal);

  /** Delivers every signal to {@code listener} from now on, until the subscription is closed. */
  Subscription listen(Listener listener);

  /** Whether signals reach other nodes at all (false on a store one gateway owns). */
  boolean crossesNodes();

  /** The signals of a store one gateway owns: nothing to tell, nobody to tell it to. */
  NodeSignals NONE =
      new NodeSignals() {
        @Override
        public void send(Signal signal) {}

        @Override
        public Subscription listen(Listener listener) {
          return () -> {};
        }

        @Override
        public boolean crossesNodes() {
          return false;
        }
      };
}
