package dev.portcullis.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles CEL conditions at load, type-checked to return a bool, over {@code args} (the call's
 * arguments), {@code agent}, {@code user}, {@code tool}, {@code context} and {@code session}. Every
 * attribute a condition reads must exist: an argument of a tool the rule is about, or one of {@link
 * #ATTRIBUTES}; a typo fails the load instead of silently never matching. The hot path only
 * evaluates.
 */
public final class CelConditions {
  /** The attributes a condition may read, by variable. {@code args} is checked per rule. */
  public static final Map<String, Set<String>> ATTRIBUTES =
      Map.of(
          "agent", Set.of("id", "tenant"),
          "user", Set.of("id", "tenant", "roles", "groups"),
          "tool", Set.of("name", "risk", "version", "connector"),
          "context", Set.of("channel", "declaredChannel", "time", "role", "region"),
          "session", Set.of("id"));

  private static final CelOptions OPTIONS =
      CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          .comprehensionMaxIterations(1_000)
          .maxParseExpressionNodeCount(1_000)
          .build();

  private final CelCompiler compiler =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("args", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("agent", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("user", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("tool", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("context", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("session", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .setResultType(SimpleType.BOOL)
          .build();

  private final CelRuntime runtime =
      CelRuntimeFactory.plannerRuntimeBuilder().setOptions(OPTIONS).build();

  /**
   * Compiles and type-checks {@code expression}; {@code argumentNames} are the arguments it may
   * read (the union over the tools its rule is about), or null when they are not known at load.
   *
   * @throws IllegalArgumentException saying what does not compile or which attributes do not exist
   */
  public Condition compile(String expression, Set<String> argumentNames) {
    CelAbstractSyntaxTree ast;
    CelRuntime.Program program;
    try {
      ast = compiler.compile(expression).getAst();
      program = runtime.createProgram(ast);
    } catch (CelValidationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException("cannot plan expression: " + e.getMessage(), e);
    }
    checkAttributes(ast, argumentNames);
    Set<String> unguarded = unguardedArguments(ast);
    return new Condition() {
      @Override
      public boolean test(Map<String, Object> facts) throws ConditionException {
        try {
          // Through a resolver, not eval(Map): eval(Map) copies any Map that is not a Guava
          // ImmutableMap on every evaluation (Activation.copyOf), more than half of what a simple
          // condition costs (see BENCHMARKS.md, section 2). The facts are a map of maps without
          // nulls, so the resolver hands CEL exactly what the copy would have held.
          return Boolean.TRUE.equals(program.eval(name -> Optional.ofNullable(facts.get(name))));
        } catch (CelEvaluationException e) {
          throw new ConditionException(e.getMessage(), e);
        }
      }

      @Override
      public String source() {
        return expression;
      }

      @Override
      public Set<String> unguardedArguments() {
        return unguarded;
      }
    };
  }

  /**
   * Arguments read by {@code args.x} or {@code args['x']} but never tested by has() or {@code in}.
   */
  private static Set<String> unguardedArguments(CelAbstractSyntaxTree ast) {
    Set<String> read = new TreeSet<>();
    Set<String> tested = new TreeSet<>();
    CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .map(n -> n.expr())
        .forEach(
            expr -> {
              if (expr.getKind() == CelExpr.ExprKind.Kind.SELECT
                  && isIdent(expr.select().operand(), "args")) {
                (expr.select().testOnly() ? tested : read).add(expr.select().field());
              } else if (expr.getKind() == CelExpr.ExprKind.Kind.CALL
                  && expr.call().args().size() == 2) {
                CelExpr left = expr.call().args().get(0);
                CelExpr right = expr.call().args().get(1);
                if (expr.call().function().equals("_[_]")
                    && isIdent(left, "args")
                    && isString(right)) {
                  read.add(right.constant().stringValue());
                } else if (expr.call().function().equals("@in")
                    && isString(left)
                    && isIdent(right, "args")) {
                  tested.add(left.constant().stringValue());
                }
              }
            });
    read.removeAll(tested);
    return Set.copyOf(read);
  }

  private static boolean isIdent(CelExpr expr, String name) {
    return isIdent(expr) && expr.ident().name().equals(name);
  }

  private static boolean isString(CelExpr expr) {
    return expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT
        && expr.constant().getKind() == CelConstant.Kind.STRING_VALUE;
  }

  private static void checkAttributes(CelAbstractSyntaxTree ast, Set<String> argumentNames) {
    Set<String> unknown = new TreeSet<>();
    CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .map(n -> n.expr())
        .forEach(
            expr -> {
              String variable = null;
              String field = null;
              if (expr.getKind() == CelExpr.ExprKind.Kind.SELECT
                  && isIdent(expr.select().operand())) {
                variable = expr.select().operand().ident().name();
                field = expr.select().field();
              } else if (expr.getKind() == CelExpr.ExprKind.Kind.CALL
                  && expr.call().function().equals("_[_]")
                  && expr.call().args().size() == 2
                  && isIdent(expr.call().args().get(0))
                  && expr.call().args().get(1).getKind() == CelExpr.ExprKind.Kind.CONSTANT
                  && expr.call().args().get(1).constant().getKind()
                      == CelConstant.Kind.STRING_VALUE) {
                variable = expr.call().args().get(0).ident().name();
                field = expr.call().args().get(1).constant().stringValue();
              }
              if (variable == null) {
                return;
              }
              Set<String> known =
                  variable.equals("args") ? argumentNames : ATTRIBUTES.get(variable);
              if (known != null && !known.contains(field)) {
                unknown.add(variable + "." + field);
              }
            });
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown attribute"
              + (unknown.size() == 1 ? " " : "s ")
              + String.join(", ", unknown)
              + " (args.* must be an argument of a tool the rule is about)");
    }
  }

  private static boolean isIdent(CelExpr expr) {
    return expr.getKind() == CelExpr.ExprKind.Kind.IDENT;
  }
}
