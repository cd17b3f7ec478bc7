package dev.portcullis.cli;

import dev.portcullis.config.ConfigException;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Loads a configuration for a command, turning problems into one readable error. */
final class ConfigFiles {
  private ConfigFiles() {}

  static GatewayConfig load(Path file, Map<String, String> env) {
    if (!Files.isRegularFile(file)) {
      throw new CliException("no configuration file at " + file + "; pass one with --config FILE");
    }
    try {
      return ConfigLoader.load(file, env);
    } catch (ConfigException e) {
      throw new CliException(
          "the configuration cannot be loaded; nothing was started.\n" + e.getMessage());
    }
  }
}
