package dev.portcullis.cli;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.StaticCatalog;
import dev.portcullis.config.ConfigException;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.PolicyLoader;
import dev.portcullis.identity.AgentSpec;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.policy.CompiledPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the policy commands decide with: a configuration (its catalog and agents) and a policy set,
 * either the configuration's own or a candidate loaded from other paths against the same catalog.
 * Every failure is a {@link CliException} with exit code {@link #ERROR_EXIT}.
 */
record PolicyInputs(
    GatewayConfig config, CompiledPolicy policy, List<Path> policyPaths, StaticCatalog catalog) {
  /**
   * The exit code of the policy commands when they cannot do their job (1 means "failed" or
   * "changed").
   */
  static final int ERROR_EXIT = 2;

  /**
   * Loads {@code configFile}, and {@code candidate} when not empty (else the configuration's
   * policies).
   */
  static PolicyInputs load(Path configFile, List<Path> candidate, Map<String, String> env) {
    if (!Files.isRegularFile(configFile)) {
      throw new CliException(
          "no configuration file at " + configFile + "; pass one with --config FILE", ERROR_EXIT);
    }
    GatewayConfig config;
    try {
      config = ConfigLoader.load(configFile, env);
    } catch (ConfigException e) {
      throw new CliException(
          "the configuration cannot be loaded; fix it first ('portcullis config check --config "
              + configFile
              + "' shows the same).\n"
              + e.getMessage(),
          ERROR_EXIT);
    }
    StaticCatalog catalog = new StaticCatalog(config.tools());
    if (candidate == null || candidate.isEmpty()) {
      return new PolicyInputs(config, config.policy(), config.policyPaths(), catalog);
    }
    List<Path> paths = candidate.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    for (Path p : paths) {
      if (!Files.exists(p)) {
        throw new CliException(
            "no policy file or directory at " + p + "; check --policies", ERROR_EXIT);
      }
    }
    try {
      if (PolicyLoader.files(paths).isEmpty()) {
        throw new CliException(
            "no policy files (*.yaml, *.yml) in " + paths + "; check --policies", ERROR_EXIT);
      }
    } catch (IOException e) {
      throw new CliException(
          "cannot list the policy files in " + paths + ": " + e.getMessage(), ERROR_EXIT);
    }
    try {
      CompiledPolicy policy = PolicyLoader.of(config).load(paths);
      return new PolicyInputs(config, policy, paths, catalog);
    } catch (ConfigException e) {
      throw new CliException(
          "the candidate policies cannot be loaded against the catalog and agents of "
              + configFile
              + ":\n"
              + String.join("\n", e.problems().stream().map(p -> "  " + p).toList()),
          ERROR_EXIT);
    }
  }

  /** The configured agent {@code id}, as the edge would authenticate it. */
  AgentRef agent(String id) {
    return config.agents().stream()
        .filter(a -> a.id().equals(id))
        .findFirst()
        .map(a -> new AgentRef(a.id(), a.tenant(), null))
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no agent '"
                        + id
                        + "' in "
                        + config.source().getFileName()
                        + "; its agents are "
                        + config.agents().stream().map(AgentSpec::id).toList()));
  }

  /** The catalog entry of {@code name}: policy decides on a resolved tool. */
  CatalogEntry tool(String name) {
    return catalog
        .find(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no tool '"
                        + name
                        + "' in the catalog of "
                        + config.source().getFileName()
                        + "; its tools are "
                        + catalog.entries().stream().map(e -> e.tool().name()).toList()));
  }
}
