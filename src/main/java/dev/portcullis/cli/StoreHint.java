package dev.portcullis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A glance at a configuration file, before it is loaded, for whether it names a PostgreSQL store:
 * {@code serve} then opens no embedded store beside the loading (which would create an SQLite file
 * in the data directory for nothing). Only a hint: the loaded configuration decides, and {@link
 * OpenedStore#opening} puts the store it names in place of a wrong guess.
 */
final class StoreHint {
  /** A top-level {@code store:} mapping, block or flow style, whose {@code type} is postgres. */
  private static final Pattern POSTGRES =
      Pattern.compile(
          "(?m)^store:[ \\t]*(?:\\{[^}]*\\btype:[ \\t]*[\"']?postgres\\b"
              + "|(?:#.*)?\\r?\\n(?:(?:[ \\t]+.*|[ \\t]*(?:#.*)?)\\r?\\n)*?[ \\t]+type:[ \\t]*[\"']?postgres\\b)");

  private StoreHint() {}

  static boolean namesPostgres(Path config) {
    try {
      return POSTGRES.matcher(Files.readString(config)).find();
    } catch (IOException | RuntimeException e) {
      return false; // the load reports an unreadable file properly
    }
  }
}
