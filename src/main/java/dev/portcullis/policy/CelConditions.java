package dev.portcullis.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Map;

/**
 * Compiles CEL conditions at load, type-checked to return a bool over the variables {@code args}
 * (the call's arguments), {@code agent} ({@code id}, {@code tenant}), {@code user} ({@code id}),
 * {@code tool} ({@code name}, {@code risk}) and {@code context} ({@code channel}, {@code role},
 * {@code region}, …). The hot path only evaluates.
 */
public final class CelConditions {
  private static final CelOptions OPTIONS =
      CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          .comprehensionMaxIterations(1_000)
          .maxParseExpressionNodeCount(1_000)
          .build();

  private final CelCompiler compiler =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .addVar("args", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("agent", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("user", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("tool", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("context", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .setResultType(SimpleType.BOOL)
          .build();

  private final CelRuntime runtime =
      CelRuntimeFactory.plannerRuntimeBuilder().setOptions(OPTIONS).build();

  /**
   * Compiles and type-checks {@code expression}.
   *
   * @throws IllegalArgumentException with the compiler's message when it does not compile
   */
  public Condition compile(String expression) {
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
    return new Condition() {
      @Override
      public boolean test(Map<String, Object> facts) throws ConditionException {
        try {
          return Boolean.TRUE.equals(program.eval(facts));
        } catch (CelEvaluationException e) {
          throw new ConditionException(e.getMessage(), e);
        }
      }

      @Override
      public String source() {
        return expression;
      }
    };
  }
}
