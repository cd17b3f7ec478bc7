package dev.portcullis.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The policy sets put in force by the gateway nodes sharing a store, in the order they were
 * published (port; append-only): each bundle holds the policy files' names and contents, their
 * version (the hash {@code PolicyLoader} gives them), the node that published it and when. Every
 * node follows the newest.
 *
 * <p>Lifecycle: opened with the store; read by every node about once a second, and at once when
 * another node signals a publication; written when a node loads a new policy set from its files.
 */
public interface PolicyBundles {
  /** One policy file: its name (no directory) and its text. */
  record File(String name, String text) {
    public File {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(text, "text");
      if (name.isEmpty()
          || name.indexOf('/') >= 0
          || name.indexOf('\\') >= 0
          || name.indexOf(0) >= 0) {
        throw new IllegalArgumentException("a policy file's name has no directory: " + name);
      }
    }
  }

  /** The newest publication: its place in the order and its version, without the files. */
  record Head(long seq, String version) {}

  /** A publication in full. */
  record Bundle(long seq, String version, List<File> files, String node, Instant publishedAt) {
    public Bundle {
      files = List.copyOf(files);
    }
  }

  /** The newest publication, or empty if none was ever made. */
  Optional<Head> newest() throws BundleStoreException;

  /** Publication {@code seq} in full, or empty if there is none. */
  Optional<Bundle> read(long seq) throws BundleStoreException;

  /** Whether a bundle of {@code version} was ever published. */
  boolean published(String version) throws BundleStoreException;

  /**
   * Publishes {@code files}, of {@code version}, as the newest bundle, and signals the other nodes
   * when it commits; answers its place in the order.
   */
  long publish(String version, List<File> files, String node, Instant at)
      throws BundleStoreException;

  /** The store could not be read or written, or holds a bundle that cannot be read. */
  final class BundleStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean unreadable;

    /** The store could not be read or written: reading again may succeed. */
    public BundleStoreException(String message, Throwable cause) {
      this(message, cause, false);
    }

    /** With {@code unreadable}: the store answered, but the bundle it holds cannot be read. */
    public BundleStoreException(String message, Throwable cause, boolean unreadable) {
      super(message, cause);
      this.unreadable = unreadable;
    }

    /** Whether the bundle itself cannot be read (reading again will not help). */
    public boolean unreadable() {
      return unreadable;
    }
  }
}
