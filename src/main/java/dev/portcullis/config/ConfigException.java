package dev.portcullis.config;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration that cannot be loaded, with every problem found, each naming the file, the line
 * and the field: {@code portcullis.yaml:42: tools[1].inputSchema: must be an object}.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<String> problems;

  public ConfigException(Path file, List<Problem> problems) {
    super(render(file, inLineOrder(problems)));
    this.problems = inLineOrder(problems).stream().map(p -> p.render(file)).toList();
  }

  private static List<Problem> inLineOrder(List<Problem> problems) {
    return problems.stream()
        .sorted(
            java.util.Comparator.comparing((Problem p) -> p.file == null ? "" : p.file.toString())
                .thenComparingInt(Problem::line))
        .toList();
  }

  public List<String> problems() {
    return problems;
  }

  private static String render(Path file, List<Problem> problems) {
    return problems.size()
        + " problem"
        + (problems.size() == 1 ? "" : "s")
        + " in "
        + file
        + ":\n"
        + problems.stream().map(p -> "  " + p.render(file)).collect(Collectors.joining("\n"));
  }

  /** One problem: a line (0 when unknown), a JSON Pointer to the field, and what is wrong. */
  public static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final String pointer;
    private final transient Path file;

    public Problem(int line, String pointer, String message) {
      this(null, line, pointer, message);
    }

    /** A problem in another file than the one being loaded (a policy file, say). */
    public Problem(Path file, int line, String pointer, String message) {
      super(message);
      this.file = file;
      this.line = line;
      this.pointer = pointer;
    }

    public int line() {
      return line;
    }

    /** The JSON Pointer of the field at fault. */
    public String pointer() {
      return pointer;
    }

    String render(Path loading) {
      Path in = file != null ? file : loading;
      String where = in.getFileName() + (line > 0 ? ":" + line : "");
      String field = FieldPath.display(pointer);
      return where + ": " + (field.isEmpty() ? "" : field + ": ") + getMessage();
    }
  }
}
