package dev.portcullis.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The data directory: the embedded database, and secrets referenced as {@code file:}. A running
 * gateway holds an exclusive lock on it, so two gateways can never interleave one audit chain.
 */
final class DataDirectory implements AutoCloseable {
  static final String ENV = "PORTCULLIS_DATA";

  private final Path path;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectory(Path path, FileChannel channel, FileLock lock) {
    this.path = path;
    this.channel = channel;
    this.lock = lock;
  }

  /** {@code --data}, else {@code $PORTCULLIS_DATA}, else {@code ./data}. */
  static Path resolve(Path option, Map<String, String> env) {
    if (option != null) {
      return option.toAbsolutePath().normalize();
    }
    String fromEnv = env.get(ENV);
    return Path.of(fromEnv == null || fromEnv.isBlank() ? "data" : fromEnv)
        .toAbsolutePath()
        .normalize();
  }

  static DataDirectory lock(Path path) {
    try {
      Files.createDirectories(path);
      FileChannel channel =
          FileChannel.open(
              path.resolve("portcullis.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new CliException(
            "another Portcullis gateway is using the data directory "
                + path
                + "; stop it, or give this one its own with --data DIR");
      }
      return new DataDirectory(path, channel, lock);
    } catch (IOException e) {
      throw new CliException("cannot use the data directory " + path + ": " + e.getMessage());
    }
  }

  Path path() {
    return path;
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // Released by the operating system when the process ends anyway.
    }
  }
}
