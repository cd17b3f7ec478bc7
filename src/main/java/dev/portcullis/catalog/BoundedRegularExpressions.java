package dev.portcullis.catalog;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.regex.Pattern;

/**
 * The regular expressions of JSON Schema {@code pattern} and {@code patternProperties}, compiled at
 * load with {@link java.util.regex} and matched under a step budget.
 *
 * <p>Security: schemas come from operators and from upstream MCP servers' descriptors, and a
 * backtracking engine can spend exponential time on a pattern such as {@code ^(a+)+$} against
 * {@code "aaaa…a!"}. The input is handed to the engine through a {@link CharSequence} that counts
 * every character the engine reads; past {@link #MAX_READS_PER_MATCH} the match is abandoned with
 * {@link BudgetExhausted}, which {@link JsonSchemaCompiler} turns into a violation: the arguments
 * are refused ({@code invalid-arguments}), never let through (counting it as "no match" would let a
 * {@code patternProperties} constraint be skipped) and never left holding a validation thread. The
 * budget is in steps, not time, so the answer is the same on any machine and under any load.
 *
 * <p>Concurrency: compiled patterns are immutable; each match has its own counter.
 */
public final class BoundedRegularExpressions implements RegularExpressionFactory {
  /**
   * Characters the engine may read for one match: far above any linear pattern on a bounded
   * argument.
   */
  public static final int MAX_READS_PER_MATCH = 1_000_000;

  public static final BoundedRegularExpressions INSTANCE = new BoundedRegularExpressions();

  private BoundedRegularExpressions() {}

  @Override
  public RegularExpression getRegularExpression(String regex) {
    Pattern pattern = Pattern.compile(endAnchored(regex));
    return value -> matches(pattern, value);
  }

  /**
   * {@code regex} with each {@code $} anchor (outside a character class, not escaped) written
   * {@code \z}. JSON Schema patterns are ECMA-262, where {@code $} matches only at the end of the
   * input; java.util.regex's {@code $} also matches before a final line terminator, so {@code
   * ^C-[0-9]{4}$} would accept {@code "C-1001\n"} and pass a line break on to the system behind.
   */
  static String endAnchored(String regex) {
    StringBuilder out = new StringBuilder(regex.length() + 4);
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\' && i + 1 < regex.length()) {
        out.append(c).append(regex.charAt(++i));
      } else if (inClass) {
        inClass = c != ']';
        out.append(c);
      } else if (c == '[') {
        inClass = true;
        out.append(c);
        if (i + 1 < regex.length() && regex.charAt(i + 1) == ']') { // a leading ']' is literal
          out.append(regex.charAt(++i));
        }
      } else if (c == '$') {
        out.append("\\z");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static BudgetExhausted exhausted() {
    return new BudgetExhausted("a schema pattern");
  }

  /**
   * Whether {@code pattern} is found in {@code value}.
   *
   * @throws BudgetExhausted when the engine reads more than the budget allows
   */
  static boolean matches(Pattern pattern, String value) {
    return pattern.matcher(new Budgeted(value, new int[] {MAX_READS_PER_MATCH})).find();
  }

  /** A match abandoned because its pattern needed more steps than the budget allows. */
  static final class BudgetExhausted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExhausted(String pattern) {
      super(pattern, null, false, false);
    }
  }

  /**
   * A view of the input whose reads draw on one shared budget (views made by subSequence share it).
   */
  private static final class Budgeted implements CharSequence {
    private final String text;
    private final int[] left;

    Budgeted(String text, int[] left) {
      this.text = text;
      this.left = left;
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public char charAt(int index) {
      if (--left[0] < 0) {
        throw exhausted();
      }
      return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Budgeted(text.substring(start, end), left);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
