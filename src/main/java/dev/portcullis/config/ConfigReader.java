package dev.portcullis.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads typed fields out of a located YAML tree and collects every problem instead of stopping at
 * the first, each with its line. Field access by JSON Pointer keeps error locations exact.
 *
 * <p>Public for other YAML files of the project that want the same reading and the same errors
 * ({@code policy test}'s test tables): see {@link #open(Path)}.
 */
public final class ConfigReader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private final JsonNode root;
  private final Origins origins;
  private final Path base;
  private final List<ConfigException.Problem> problems;
  private final List<Imported> imports;

  /**
   * Where the node at a pointer was written: a file (null: the one being loaded), its line, its
   * pointer there.
   */
  record Origin(Path file, int line, String pointer) {}

  /** Maps a pointer of this reader's tree to where that node was written. */
  @FunctionalInterface
  interface Origins {
    Origin of(String pointer);
  }

  /** The reader of the configuration file {@code file}: relative paths in it resolve beside it. */
  ConfigReader(LocatedYaml yaml, Path file) {
    this(
        yaml.root(),
        p -> new Origin(null, yaml.line(p), p),
        file.toAbsolutePath().getParent(),
        new ArrayList<>(),
        new ArrayList<>());
  }

  /** A reader for another file whose problems join {@code problems}. */
  ConfigReader(LocatedYaml yaml, Path file, List<ConfigException.Problem> problems) {
    this(yaml.root(), p -> new Origin(file, yaml.line(p), p), null, problems, new ArrayList<>());
  }

  /**
   * A reader over a tree assembled from several files (a tool pack's tools with the overrides of
   * the configuration that includes them): each problem names the file and line its node came from.
   */
  ConfigReader(JsonNode root, Origins origins, List<ConfigException.Problem> problems) {
    this(root, origins, null, problems, new ArrayList<>());
  }

  private ConfigReader(
      JsonNode root,
      Origins origins,
      Path base,
      List<ConfigException.Problem> problems,
      List<Imported> imports) {
    this.root = root;
    this.origins = origins;
    this.base = base;
    this.problems = problems;
    this.imports = imports;
  }

  /** Where the node at {@code pointer} was written. */
  Origin origin(String pointer) {
    return origins.of(pointer);
  }

  /**
   * A reader over {@code implied}, a tree this file implies rather than holds (tools generated from
   * an imported document, say): its problems join this reader's, each at the field of this file
   * that {@code located} maps its pointer to, and at that field's line.
   */
  ConfigReader implied(JsonNode implied, UnaryOperator<String> located) {
    return new ConfigReader(implied, p -> origins.of(located.apply(p)), base, problems, imports);
  }

  /**
   * A file this one refers to by the path {@code text}, relative to this file's directory.
   *
   * @throws java.nio.file.InvalidPathException when {@code text} cannot be a path
   */
  Path resolve(String text) {
    return base == null ? Path.of(text) : base.resolve(text).normalize();
  }

  /**
   * A document read while loading (an OpenAPI document, say): its digest joins the configuration's
   * hash.
   */
  record Imported(String path, String sha256) {}

  void imported(String path, byte[] bytes) {
    imports.add(new Imported(path, ConfigLoader.sha256(bytes)));
  }

  /** The documents read while loading, in the order they were read. */
  List<Imported> imports() {
    return List.copyOf(imports);
  }

  /**
   * Reads and parses the YAML file {@code file}; every problem the returned reader finds names it.
   *
   * @throws ConfigException when the file cannot be read or is not YAML (with the line)
   */
  public static ConfigReader open(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          file,
          List.of(
              new ConfigException.Problem(file, 0, "", "cannot read the file: " + e.getMessage())));
    }
    try {
      return new ConfigReader(LocatedYaml.parse(text), file, new ArrayList<>());
    } catch (ConfigException.Problem p) {
      throw new ConfigException(
          file, List.of(new ConfigException.Problem(file, p.line(), "", p.getMessage())));
    }
  }

  /** Every problem found so far; throw them with {@code new ConfigException(file, problems())}. */
  public List<ConfigException.Problem> problems() {
    return problems;
  }

  public void problem(String pointer, String message) {
    Origin o = origins.of(pointer);
    problems.add(new ConfigException.Problem(o.file(), o.line(), o.pointer(), message));
  }

  /** Whether a problem was already reported at {@code pointer} (one explanation per place). */
  private boolean hasProblemAt(String pointer) {
    Origin at = origins.of(pointer);
    return problems.stream()
        .anyMatch(p -> p.line() == at.line() && p.pointer().equals(at.pointer()));
  }

  public int lineOf(String pointer) {
    return origins.of(pointer).line();
  }

  public JsonNode at(String pointer) {
    return pointer.isEmpty() ? root : root.at(pointer);
  }

  /** Refuses keys this object does not define: a typo in a security setting must not pass. */
  public void onlyKeys(String pointer, Set<String> allowed) {
    JsonNode node = at(pointer);
    if (!node.isObject()) {
      return;
    }
    for (String name : node.propertyNames()) {
      if (!allowed.contains(name) && !hasProblemAt(pointer + "/" + name)) {
        problem(
            pointer + "/" + name,
            "unknown field '" + name + "'; expected one of " + allowed.stream().sorted().toList());
      }
    }
  }

  public boolean isObject(String pointer, boolean required) {
    JsonNode node = at(pointer);
    if (node.isMissingNode() || node.isNull()) {
      if (required) {
        problem(pointer, "is required");
      }
      return false;
    }
    if (!node.isObject()) {
      problem(pointer, "must be a mapping");
      return false;
    }
    return true;
  }

  /** The size of the list at {@code pointer}; 0 (and a problem if not a list) otherwise. */
  public int list(String pointer, boolean required) {
    JsonNode node = at(pointer);
    if (node.isMissingNode() || node.isNull()) {
      if (required) {
        problem(pointer, "is required");
      }
      return 0;
    }
    if (!node.isArray()) {
      problem(pointer, "must be a list");
      return 0;
    }
    return node.size();
  }

  public Optional<String> string(String pointer, boolean required) {
    JsonNode node = at(pointer);
    if (node.isMissingNode() || node.isNull()) {
      if (required) {
        problem(pointer, "is required");
      }
      return Optional.empty();
    }
    if (!node.isString() && !node.isNumber()) {
      problem(pointer, "must be a string");
      return Optional.empty();
    }
    String value = node.asString();
    if (value.isBlank()) {
      problem(pointer, "must not be empty");
      return Optional.empty();
    }
    return Optional.of(value);
  }

  String string(String pointer, String fallback) {
    return at(pointer).isMissingNode() ? fallback : string(pointer, false).orElse(fallback);
  }

  Optional<String> matching(String pointer, boolean required, Pattern pattern, String rule) {
    Optional<String> value = string(pointer, required);
    if (value.isPresent() && !pattern.matcher(value.get()).matches()) {
      problem(pointer, "'" + value.get() + "' " + rule);
      return Optional.empty();
    }
    return value;
  }

  /**
   * A secret reference ({@code vault:NAME}, {@code env:NAME}, {@code file:PATH}); never a value.
   */
  Optional<dev.portcullis.vault.SecretRef> secretRef(String pointer, boolean required) {
    return string(pointer, required)
        .flatMap(
            s -> {
              try {
                return Optional.of(dev.portcullis.vault.SecretRef.parse(s));
              } catch (IllegalArgumentException e) {
                problem(pointer, e.getMessage());
                return Optional.empty();
              }
            });
  }

  public List<String> strings(String pointer, boolean required) {
    int n = list(pointer, required);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      string(pointer + "/" + i, true).ifPresent(out::add);
    }
    if (required && n == 0 && at(pointer).isArray()) {
      problem(pointer, "must list at least one entry");
    }
    return out;
  }

  int integer(String pointer, int fallback, int min, int max) {
    JsonNode node = at(pointer);
    if (node.isMissingNode() || node.isNull()) {
      return fallback;
    }
    if (!node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.asInt() < min
        || node.asInt() > max) {
      problem(pointer, "must be a whole number from " + min + " to " + max);
      return fallback;
    }
    return node.asInt();
  }

  /** A {@code true} or {@code false}; {@code fallback} when absent. */
  boolean flag(String pointer, boolean fallback) {
    JsonNode node = at(pointer);
    if (node.isMissingNode() || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      problem(pointer, "must be true or false");
      return fallback;
    }
    return node.booleanValue();
  }

  /** Durations as {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
  Duration duration(String pointer, Duration fallback) {
    JsonNode node = at(pointer);
    if (node.isMissingNode() || node.isNull()) {
      return fallback;
    }
    Matcher m = DURATION.matcher(node.asString(""));
    if (!node.isString() || !m.matches()) {
      problem(pointer, "must be a duration such as 500ms, 10s, 2m or 1h");
      return fallback;
    }
    long amount = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        };
    if (d.isZero()) {
      problem(pointer, "must be longer than zero");
      return fallback;
    }
    return d;
  }

  public <E extends Enum<E>> Optional<E> choice(String pointer, boolean required, Class<E> type) {
    Optional<String> value = string(pointer, required);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value.get())) {
        return Optional.of(constant);
      }
    }
    List<String> names =
        java.util.Arrays.stream(type.getEnumConstants())
            .map(c -> c.name().toLowerCase(java.util.Locale.ROOT))
            .toList();
    problem(pointer, "'" + value.get() + "' is not one of " + names);
    return Optional.empty();
  }
}
