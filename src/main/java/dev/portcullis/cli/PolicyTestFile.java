package dev.portcullis.cli;

import dev.portcullis.config.ConfigException;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.ConfigReader;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A table of policy tests ({@code kind: PolicyTest}): the configuration to test against, optional
 * candidate policy paths, and cases of one request and the decision expected for it. Read in two
 * steps, each reporting every problem with its line as the configuration loader does: the file's
 * structure, then its requests against the configuration (unknown agents or tools, arguments the
 * tool's schema refuses).
 */
final class PolicyTestFile {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path file;
  private final ConfigReader reader;
  private final Optional<Path> config;
  private final List<Path> policies;
  private final List<Draft> drafts;

  /** One case as written, before it meets the configuration. */
  private record Draft(
      String pointer, String name, String source, PolicyRequest request, Expectation expect) {}

  /** One case ready to run: the resolved invocation and what its decision must be. */
  record TestCase(String name, String source, Invocation invocation, Expectation expect) {}

  private PolicyTestFile(
      Path file,
      ConfigReader reader,
      Optional<Path> config,
      List<Path> policies,
      List<Draft> drafts) {
    this.file = file;
    this.reader = reader;
    this.config = config;
    this.policies = policies;
    this.drafts = drafts;
  }

  /**
   * Reads the structure of {@code file}.
   *
   * @throws CliException (exit 2) listing every problem with its line
   */
  static PolicyTestFile read(Path file) {
    ConfigReader r;
    try {
      r = ConfigReader.open(file);
    } catch (ConfigException e) {
      throw unreadable(file, e);
    }
    if (!r.at("").isObject()) {
      r.problem("", "a policy test file must be a YAML mapping (config, policies, cases)");
      throw unreadable(file, new ConfigException(file, r.problems()));
    }
    r.onlyKeys("", Set.of("apiVersion", "kind", "config", "policies", "cases"));
    if (!r.at("/apiVersion").isMissingNode()) {
      r.string("/apiVersion", true)
          .filter(v -> !v.equals(ConfigLoader.API_VERSION))
          .ifPresent(
              v ->
                  r.problem(
                      "/apiVersion",
                      "'" + v + "' is not supported; use " + ConfigLoader.API_VERSION));
    }
    if (!r.at("/kind").isMissingNode()) {
      r.string("/kind", true)
          .filter(v -> !v.equals("PolicyTest"))
          .ifPresent(v -> r.problem("/kind", "'" + v + "' is not supported here; use PolicyTest"));
    }
    Path base = file.toAbsolutePath().getParent();
    Optional<Path> config = r.string("/config", false).map(c -> base.resolve(c).normalize());
    List<Path> policies =
        r.at("/policies").isMissingNode()
            ? List.of()
            : r.strings("/policies", true).stream().map(p -> base.resolve(p).normalize()).toList();
    List<Draft> drafts = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int n = r.list("/cases", true);
    if (n == 0 && r.at("/cases").isArray()) {
      r.problem("/cases", "must list at least one case");
    }
    for (int i = 0; i < n; i++) {
      String p = "/cases/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      r.onlyKeys(p, Set.of("name", "request", "expect"));
      Optional<String> name = r.string(p + "/name", true);
      name.filter(v -> !names.add(v))
          .ifPresent(v -> r.problem(p + "/name", "another case is named '" + v + "'"));
      Optional<PolicyRequest> request = request(r, p + "/request");
      Optional<Expectation> expect = expectation(r, p + "/expect");
      if (name.isPresent() && request.isPresent() && expect.isPresent()) {
        String source = file.getFileName() + ":" + r.lineOf(p);
        drafts.add(new Draft(p, name.get(), source, request.get(), expect.get()));
      }
    }
    if (!r.problems().isEmpty()) {
      throw unreadable(file, new ConfigException(file, r.problems()));
    }
    return new PolicyTestFile(file, r, config, policies, drafts);
  }

  /** The configuration the file names (relative to the file), if it names one. */
  Optional<Path> config() {
    return config;
  }

  /** The candidate policy paths the file names; empty for the configuration's own. */
  List<Path> policies() {
    return policies;
  }

  /**
   * Resolves every case against {@code inputs}.
   *
   * @throws CliException (exit 2) listing every request the configuration cannot take, with its
   *     line
   */
  List<TestCase> resolve(PolicyInputs inputs, Instant now) {
    List<TestCase> cases = new ArrayList<>();
    for (Draft d : drafts) {
      String p = d.pointer() + "/request";
      boolean known = check(p + "/agent", () -> inputs.agent(d.request().agent()));
      known &= check(p + "/tool", () -> inputs.tool(d.request().tool()));
      if (!known) {
        continue;
      }
      List<String> violations = d.request().schemaViolations(inputs);
      if (!violations.isEmpty()) {
        reader.problem(
            p + "/args",
            "the gateway refuses these arguments before policy decides: "
                + String.join("; ", violations));
        continue;
      }
      try {
        cases.add(new TestCase(d.name(), d.source(), d.request().resolve(inputs, now), d.expect()));
      } catch (IllegalArgumentException e) {
        reader.problem(p + "/context/time", e.getMessage());
      }
    }
    if (!reader.problems().isEmpty()) {
      throw unreadable(file, new ConfigException(file, reader.problems()));
    }
    return cases;
  }

  private boolean check(String pointer, Runnable lookup) {
    try {
      lookup.run();
      return true;
    } catch (IllegalArgumentException e) {
      reader.problem(pointer, e.getMessage());
      return false;
    }
  }

  private static Optional<PolicyRequest> request(ConfigReader r, String p) {
    if (!r.isObject(p, true)) {
      return Optional.empty();
    }
    r.onlyKeys(p, Set.of("agent", "user", "tool", "args", "context"));
    Optional<String> agent = r.string(p + "/agent", true);
    Optional<String> tool = r.string(p + "/tool", true);
    PolicyRequest.User user = null;
    if (r.isObject(p + "/user", false)) {
      r.onlyKeys(p + "/user", Set.of("id", "tenant", "roles", "groups"));
      Optional<String> id = r.string(p + "/user/id", true);
      Optional<String> tenant = r.string(p + "/user/tenant", false);
      List<String> roles =
          r.at(p + "/user/roles").isMissingNode() ? List.of() : r.strings(p + "/user/roles", false);
      List<String> groups =
          r.at(p + "/user/groups").isMissingNode()
              ? List.of()
              : r.strings(p + "/user/groups", false);
      user =
          id.map(
                  v ->
                      new PolicyRequest.User(
                          v, tenant.orElse(null), Set.copyOf(roles), Set.copyOf(groups)))
              .orElse(null);
    }
    JsonNode args = JSON.createObjectNode();
    if (r.isObject(p + "/args", false)) {
      // Through JSON text, so numbers take the shapes the edge gives them (int, long or double).
      args = JSON.readTree(JSON.writeValueAsString(r.at(p + "/args")));
    }
    Map<String, String> context = new LinkedHashMap<>();
    if (r.isObject(p + "/context", false)) {
      for (String key : r.at(p + "/context").propertyNames()) {
        r.string(p + "/context/" + key, true).ifPresent(v -> context.put(key, v));
      }
    }
    if (agent.isEmpty() || tool.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new PolicyRequest(agent.get(), user, tool.get(), args, context));
  }

  private static Optional<Expectation> expectation(ConfigReader r, String p) {
    if (!r.isObject(p, true)) {
      return Optional.empty();
    }
    r.onlyKeys(p, Set.of("effect", "rules", "reason", "errors", "logOnly"));
    Optional<Effect> effect = r.choice(p + "/effect", true, Effect.class);
    Optional<List<String>> rules =
        r.at(p + "/rules").isMissingNode()
            ? Optional.empty()
            : Optional.of(r.strings(p + "/rules", false));
    Optional<String> reason = r.string(p + "/reason", false);
    Optional<List<String>> errors =
        r.at(p + "/errors").isMissingNode()
            ? Optional.empty()
            : Optional.of(r.strings(p + "/errors", false));
    Optional<Map<String, Effect>> logOnly = Optional.empty();
    if (r.isObject(p + "/logOnly", false)) {
      Map<String, Effect> wouldBe = new LinkedHashMap<>();
      for (String rule : r.at(p + "/logOnly").propertyNames()) {
        r.choice(p + "/logOnly/" + rule, true, Effect.class).ifPresent(e -> wouldBe.put(rule, e));
      }
      logOnly = Optional.of(wouldBe);
    }
    Optional<Map<String, Effect>> shadows = logOnly;
    return effect.map(e -> new Expectation(e, rules, reason, errors, shadows));
  }

  private static CliException unreadable(Path file, ConfigException e) {
    return new CliException(
        "the policy test file "
            + file
            + " cannot be used:\n"
            + String.join("\n", e.problems().stream().map(p -> "  " + p).toList()),
        PolicyInputs.ERROR_EXIT);
  }
}
