package dev.portcullis.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads typed fields out of a located YAML tree and collects every problem instead of stopping at
 * the first, each with its line. Field access by JSON Pointer keeps error locations exact.
 */
final class ConfigReader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private final LocatedYaml yaml;
  private final java.nio.file.Path file;
  private final List<ConfigException.Problem> problems;

  ConfigReader(LocatedYaml yaml) {
    this(yaml, null, new ArrayList<>());
  }

  /** A reader for another file whose problems join {@code problems}. */
  ConfigReader(LocatedYaml yaml, java.nio.file.Path file, List<ConfigException.Problem> problems) {
    this.yaml = yaml;
    this.file = file;
    this.problems = problems;
  }

  List<ConfigException.Problem> problems() {
    return problems;
  }

  void problem(String pointer, String message) {
    problems.add(new ConfigException.Problem(file, yaml.line(pointer), pointer, message));
  }

  int lineOf(String pointer) {
    return yaml.line(pointer);
  }

  JsonNode at(String pointer) {
    return pointer.isEmpty() ? yaml.root() : yaml.root().at(pointer);
  }

  /** Refuses keys this object does not define: a typo in a security setting must not pass. */
  void onlyKeys(String pointer, Set<String> allowed) {
    JsonNode node = at(pointer);
    if (!node.isObject()) {
      return;
    }
    for (String name : node.propertyNames()) {
      if (!allowed.contains(name)) {
        problem(
            pointer + "/" + name,
            "unknown field '" + name + "'; expected one of " + allowed.stream().sorted().toList());
      }
    }
  }

  boolean isObject(String pointer, boolean required) {
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
  int list(String pointer, boolean required) {
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

  Optional<String> string(String pointer, boolean required) {
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

  List<String> strings(String pointer, boolean required) {
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
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
      problem(pointer, "must be a whole number from " + min + " to " + max);
      return fallback;
    }
    return node.asInt();
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

  <E extends Enum<E>> Optional<E> choice(String pointer, boolean required, Class<E> type) {
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
