package dev.portcullis.config;

import dev.portcullis.identity.AgentSpec;
import dev.portcullis.policy.CelConditions;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.Condition;
import dev.portcullis.policy.NamePattern;
import dev.portcullis.policy.PolicyBundles;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.RuleEffect;
import dev.portcullis.policy.RuleMode;
import dev.portcullis.policy.Target;
import dev.portcullis.policy.ToolFacts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads a policy set: YAML files of rules ({@code kind: PolicySet}), from files or directories,
 * compiled and checked against the catalog and the agents. A rule that names an unknown tool,
 * agent, connector, argument or attribute fails the load with its file and line. The version is the
 * SHA-256 of the files' names and contents, so the same set always has the same version.
 */
public final class PolicyLoader {
  static final Pattern RULE_ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");

  private final List<ToolFacts> tools;
  private final Set<String> agentIds;
  private final Set<String> tenants;
  private final CelConditions cel = new CelConditions();

  /** Checks rules against {@code tools} and {@code agents} (their ids and tenants). */
  public PolicyLoader(List<ToolFacts> tools, List<AgentSpec> agents) {
    this.tools = List.copyOf(tools);
    Set<String> ids = new HashSet<>();
    Set<String> tenantNames = new HashSet<>();
    agents.forEach(
        a -> {
          ids.add(a.id());
          tenantNames.add(a.tenant());
        });
    this.agentIds = Set.copyOf(ids);
    this.tenants = Set.copyOf(tenantNames);
  }

  /** The loader for the catalog and agents of {@code config}. */
  public static PolicyLoader of(GatewayConfig config) {
    return new PolicyLoader(config.toolFacts(), config.agents());
  }

  /** The policy files at {@code paths}: each a file, or a directory whose *.yaml files are read. */
  public static List<Path> files(List<Path> paths) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> listed = Files.list(p)) {
          listed
              .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
              .sorted()
              .forEach(files::add);
        }
      } else {
        files.add(p);
      }
    }
    return files;
  }

  /**
   * Loads and compiles the rules in {@code paths}.
   *
   * @throws ConfigException listing every problem, each with its file and line
   */
  public CompiledPolicy load(List<Path> paths) throws ConfigException {
    List<ConfigException.Problem> problems = new ArrayList<>();
    CompiledPolicy policy = loadInto(paths, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(paths.isEmpty() ? Path.of(".") : paths.getFirst(), problems);
    }
    return policy;
  }

  /** Loads into {@code problems}; the result is only meaningful when no problem was added. */
  CompiledPolicy loadInto(List<Path> paths, List<ConfigException.Problem> problems) {
    List<Path> files;
    try {
      files = files(paths);
    } catch (IOException e) {
      problems.add(
          new ConfigException.Problem(
              0, "/policies", "cannot list policy files: " + e.getMessage()));
      return new CompiledPolicy(List.of(), "none", tools);
    }
    List<Source> sources = new ArrayList<>();
    for (Path file : files) {
      try {
        sources.add(new Source(file, Files.readString(file, StandardCharsets.UTF_8)));
      } catch (IOException e) {
        problems.add(
            new ConfigException.Problem(
                file, 0, "", "cannot read the policy file: " + e.getMessage()));
      }
    }
    return compile(sources, problems);
  }

  /**
   * Compiles a policy bundle another node published (its files' names and texts), exactly as the
   * same files read from disk would be: same checks, same version. Problems name the file by its
   * name in the bundle.
   *
   * @throws ConfigException listing every problem, each with its file and line
   */
  public CompiledPolicy load(PolicyBundles.Bundle bundle) throws ConfigException {
    List<ConfigException.Problem> problems = new ArrayList<>();
    List<Source> sources =
        bundle.files().stream().map(f -> new Source(Path.of(f.name()), f.text())).toList();
    CompiledPolicy policy = compile(sources, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(Path.of("policy bundle " + bundle.seq()), problems);
    }
    return policy;
  }

  /**
   * The policy files at {@code paths} as a bundle's files: each one's name and text, in the order
   * {@link #load(List)} reads them.
   */
  public static List<PolicyBundles.File> read(List<Path> paths) throws IOException {
    List<PolicyBundles.File> out = new ArrayList<>();
    for (Path file : files(paths)) {
      out.add(
          new PolicyBundles.File(
              file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** The version {@code files} compile to (without compiling them): the hash of names and texts. */
  public static String version(List<PolicyBundles.File> files) {
    MessageDigest digest = sha256();
    files.forEach(f -> hash(digest, f.name(), f.text()));
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }

  private static void hash(MessageDigest digest, String name, String text) {
    digest.update(name.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(text.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
  }

  /** One policy file's text, and the path its problems name. */
  private record Source(Path file, String text) {}

  private CompiledPolicy compile(List<Source> sources, List<ConfigException.Problem> problems) {
    List<Rule> rules = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    MessageDigest digest = sha256();
    for (Source source : sources) {
      Path file = source.file();
      String text = source.text();
      hash(digest, file.getFileName().toString(), text);
      LocatedYaml yaml;
      try {
        yaml = LocatedYaml.parse(text);
      } catch (ConfigException.Problem p) {
        problems.add(new ConfigException.Problem(file, p.line(), "", p.getMessage()));
        continue;
      }
      readFile(new ConfigReader(yaml, file, problems), file, rules, ids, warnings);
    }
    return new CompiledPolicy(
        rules, "sha256:" + HexFormat.of().formatHex(digest.digest()), tools, warnings);
  }

  private void readFile(
      ConfigReader r, Path file, List<Rule> rules, Set<String> ids, List<String> warnings) {
    if (!r.at("").isObject()) {
      r.problem("", "a policy file must be a YAML mapping (apiVersion, kind: PolicySet, rules)");
      return;
    }
    r.onlyKeys("", Set.of("apiVersion", "kind", "rules"));
    r.string("/apiVersion", true)
        .filter(v -> !v.equals(ConfigLoader.API_VERSION))
        .ifPresent(
            v ->
                r.problem(
                    "/apiVersion",
                    "'" + v + "' is not supported; use " + ConfigLoader.API_VERSION));
    r.string("/kind", true)
        .filter(v -> !v.equals("PolicySet"))
        .ifPresent(v -> r.problem("/kind", "'" + v + "' is not supported here; use PolicySet"));
    int n = r.list("/rules", true);
    for (int i = 0; i < n; i++) {
      String p = "/rules/" + i;
      if (r.isObject(p, true)) {
        rule(r, p, file, ids, warnings).ifPresent(rules::add);
      }
    }
  }

  private Optional<Rule> rule(
      ConfigReader r, String p, Path file, Set<String> ids, List<String> warnings) {
    r.onlyKeys(p, Set.of("id", "description", "effect", "target", "when", "mode"));
    Optional<String> id =
        r.matching(
            p + "/id", true, RULE_ID, "must be lowercase letters, digits and '-' (at most 64)");
    id.filter(v -> !ids.add(v))
        .ifPresent(
            v -> r.problem(p + "/id", "rule '" + v + "' is defined twice in this policy set"));
    String description = r.string(p + "/description", "");
    Optional<RuleEffect> effect = r.choice(p + "/effect", true, RuleEffect.class);
    RuleMode mode = r.choice(p + "/mode", false, RuleMode.class).orElse(RuleMode.ENFORCE);
    Target target = target(r, p + "/target");
    List<ToolFacts> covered =
        tools.stream().filter(t -> target.matchesTool(t.name(), t.risk(), t.connector())).toList();
    if (covered.isEmpty() && !r.at(p + "/target").isMissingNode()) {
      r.problem(
          p + "/target",
          "the target's tools, risk and connectors together match no tool in the catalog");
    }
    // Null when a covered tool's arguments are not known at load (upstream MCP tools): unchecked.
    Set<String> arguments =
        covered.stream().allMatch(ToolFacts::argumentsKnown) ? new LinkedHashSet<>() : null;
    if (arguments != null) {
      covered.forEach(t -> arguments.addAll(t.argumentNames()));
    }
    Optional<Condition> condition =
        r.string(p + "/when", false)
            .flatMap(
                expr -> {
                  try {
                    return Optional.of(cel.compile(expr, arguments));
                  } catch (IllegalArgumentException e) {
                    r.problem(p + "/when", "does not compile: " + e.getMessage().strip());
                    return Optional.empty();
                  }
                });
    if (id.isEmpty() || effect.isEmpty()) {
      return Optional.empty();
    }
    if (effect.get() != RuleEffect.PERMIT) {
      condition.ifPresent(c -> warnAboutOptionalArguments(r, p, file, c, covered, warnings));
    }
    int line = r.lineOf(p);
    return Optional.of(
        new Rule(
            id.get(),
            description,
            effect.get(),
            target,
            condition,
            mode,
            file.getFileName() + ":" + line));
  }

  /**
   * A guard (forbid, require_approval) that reads an argument a schema-valid call may leave out
   * cannot be evaluated on such a call, and then counts as matched: warn, so its author either
   * means that or guards the read with {@code has(args.x)}.
   */
  private static void warnAboutOptionalArguments(
      ConfigReader r,
      String p,
      Path file,
      Condition condition,
      List<ToolFacts> covered,
      List<String> warnings) {
    for (String argument : condition.unguardedArguments()) {
      List<String> optionalIn =
          covered.stream()
              .filter(t -> t.argumentsKnown() && !t.requiredArguments().contains(argument))
              .map(ToolFacts::name)
              .toList();
      if (!optionalIn.isEmpty()) {
        warnings.add(
            new ConfigException.Problem(
                    file,
                    r.lineOf(p + "/when"),
                    p + "/when",
                    "reads args."
                        + argument
                        + ", which a valid call of "
                        + String.join(", ", optionalIn)
                        + " may leave out; this "
                        + r.at(p + "/effect").asString("")
                        + " rule then cannot be evaluated and counts"
                        + " as matched. If that is not what you mean, test it first: has(args."
                        + argument
                        + ") && ...")
                .render(file));
      }
    }
  }

  private Target target(ConfigReader r, String p) {
    if (!r.isObject(p, false)) {
      return Target.ANY;
    }
    r.onlyKeys(p, Set.of("tenants", "agents", "users", "tools", "risk", "connectors"));
    List<String> tenantList = strings(r, p + "/tenants");
    for (int i = 0; i < tenantList.size(); i++) {
      if (!tenants.contains(tenantList.get(i))) {
        r.problem(
            p + "/tenants/" + i, "no agent belongs to a tenant named '" + tenantList.get(i) + "'");
      }
    }
    Set<String> tenants = Set.copyOf(tenantList);
    List<NamePattern> agents = patterns(r, p + "/agents", agentIds, "agent");
    Set<String> userIds = Set.of();
    Set<String> roles = Set.of();
    Set<String> groups = Set.of();
    if (r.isObject(p + "/users", false)) {
      r.onlyKeys(p + "/users", Set.of("ids", "roles", "groups"));
      userIds = Set.copyOf(strings(r, p + "/users/ids"));
      roles = Set.copyOf(strings(r, p + "/users/roles"));
      groups = Set.copyOf(strings(r, p + "/users/groups"));
    }
    Set<String> toolNames = new HashSet<>();
    tools.forEach(t -> toolNames.add(t.name()));
    List<NamePattern> toolPatterns = patterns(r, p + "/tools", toolNames, "tool");
    List<String> risks = strings(r, p + "/risk");
    for (int i = 0; i < risks.size(); i++) {
      if (!Set.of("read", "workflow", "write").contains(risks.get(i))) {
        r.problem(p + "/risk/" + i, "'" + risks.get(i) + "' is not one of [read, workflow, write]");
      }
    }
    Set<String> connectorNames = new HashSet<>();
    tools.forEach(t -> connectorNames.add(t.connector()));
    List<String> connectors = strings(r, p + "/connectors");
    for (int i = 0; i < connectors.size(); i++) {
      if (!connectorNames.contains(connectors.get(i))) {
        r.problem(
            p + "/connectors/" + i, "no tool uses a connector named '" + connectors.get(i) + "'");
      }
    }
    return new Target(
        tenants,
        agents,
        userIds,
        roles,
        groups,
        toolPatterns,
        Set.copyOf(risks),
        Set.copyOf(connectors));
  }

  /**
   * A target list, or empty when it is left out. A list that is given must name something: an empty
   * one would silently mean "anyone" (a target names nobody, so it covers everybody).
   */
  private static List<String> strings(ConfigReader r, String p) {
    if (r.at(p).isMissingNode()) {
      return List.of();
    }
    List<String> values = r.strings(p, false);
    if (values.isEmpty() && r.at(p).isArray()) {
      r.problem(
          p,
          "is empty, which would match anyone; leave it out to mean anyone, or name who it is about");
    }
    return values;
  }

  private static List<NamePattern> patterns(
      ConfigReader r, String p, Set<String> known, String what) {
    List<String> texts = strings(r, p);
    List<NamePattern> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      NamePattern pattern = NamePattern.compile(texts.get(i));
      if (known.stream().noneMatch(pattern::matches)) {
        r.problem(
            p + "/" + i,
            pattern.isGlob()
                ? "'" + pattern + "' matches no defined " + what
                : "no " + what + " named '" + pattern + "' is defined");
      }
      out.add(pattern);
    }
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
