package dev.portcullis.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.catalog.ArgumentLimits;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.testing.Invocations;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {
  private static final Invocation CALL = Invocations.call("agent-a", "tool_x", "{}");

  private static Stage ending() {
    return (inv, chain) -> new Outcome.Completed(inv, Invocations.JSON.createObjectNode());
  }

  @Test
  void runsStagesInListOrderAndReturnsTheLastOutcome() {
    List<String> seen = new ArrayList<>();
    Stage first =
        (inv, chain) -> {
          seen.add("first");
          return chain.proceed(inv);
        };
    Stage second =
        (inv, chain) -> {
          seen.add("second");
          return chain.proceed(inv);
        };
    Stage last =
        (inv, chain) -> {
          seen.add("last");
          return ending().handle(inv, chain);
        };

    Outcome outcome = new Pipeline(List.of(first, second, last)).run(CALL);

    assertThat(seen).containsExactly("first", "second", "last");
    assertThat(outcome).isInstanceOf(Outcome.Completed.class);
  }

  @Test
  void standardOrderIsTheArchitecturesRoad() {
    var ledger = new LedgerStage(null, null, null, null, LedgerStage.Parked.NONE);
    var catalog = new CatalogStage(null);
    var validate = new ValidateStage(null, ArgumentLimits.DEFAULT, null);
    var policy = new PolicyStage(null);
    var limits = new LimitsStage();
    var approval = new ApprovalStage(null, null, null, null, null);
    var filter = new FilterStage(null);
    var commit = new CommitStage(null, null, null);
    var execute = new ExecuteStage(null, null);

    Pipeline p =
        Pipeline.standard(
            ledger,
            catalog,
            validate,
            policy,
            limits,
            approval,
            filter,
            commit,
            BeforeStateStage.NONE,
            execute);

    assertThat(p.stages())
        .extracting(s -> s.getClass().getSimpleName())
        .containsExactly(
            "LedgerStage",
            "CatalogStage",
            "ValidateStage",
            "PolicyStage",
            "LimitsStage",
            "ApprovalStage",
            "FilterStage",
            "CommitStage",
            "BeforeStateStage",
            "ExecuteStage");
  }

  @Test
  void theResumedRoadIsTheStandardOneFromValidationOn() {
    var ledger = new LedgerStage(null, null, null, null, LedgerStage.Parked.NONE);
    var validate = new ValidateStage(null, ArgumentLimits.DEFAULT, null);
    var policy = PolicyStage.approved(null, "ap-1", "ops-olivia");
    var filter = new FilterStage(null);
    var commit = new CommitStage(null, null, null);
    var execute = new ExecuteStage(null, null);

    Pipeline p =
        Pipeline.resumed(ledger, validate, policy, filter, commit, BeforeStateStage.NONE, execute);

    assertThat(p.stages())
        .extracting(s -> s.getClass().getSimpleName())
        .containsExactly(
            "LedgerStage",
            "ValidateStage",
            "PolicyStage",
            "FilterStage",
            "CommitStage",
            "BeforeStateStage",
            "ExecuteStage");
  }

  @Test
  void stagesNeverHoldAnotherStage() {
    // stages never call each other: the chain is the only way from one to the next
    for (Class<?> stage :
        List.of(
            LedgerStage.class,
            CatalogStage.class,
            ValidateStage.class,
            PolicyStage.class,
            LimitsStage.class,
            ApprovalStage.class,
            FilterStage.class,
            CommitStage.class,
            BeforeStateStage.class,
            ExecuteStage.class)) {
      for (java.lang.reflect.Field f : stage.getDeclaredFields()) {
        if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
          continue; // a stage's own constants (BeforeStateStage.NONE)
        }
        assertThat(Stage.class.isAssignableFrom(f.getType()))
            .as("%s.%s is a stage", stage.getSimpleName(), f.getName())
            .isFalse();
      }
    }
  }

  @Test
  void stageThatProceedsTwiceFailsTheCallNamingIt() {
    Stage twice = new Twice();
    Outcome outcome = new Pipeline(List.of(twice, ending())).run(CALL);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            Outcome.Failed.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.INTERNAL);
              assertThat(f.detail()).isEqualTo("stage Twice must call proceed() at most once");
            });
  }

  @Test
  void lastStageThatProceedsFailsTheCallNamingIt() {
    Stage passes = (inv, chain) -> chain.proceed(inv);
    Outcome outcome = new Pipeline(List.of(new Passing(), passes)).run(CALL);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            Outcome.Failed.class,
            f ->
                assertThat(f.detail())
                    .startsWith("the last stage ")
                    .endsWith(" must end the call, not proceed"));
  }

  @Test
  void stageReturningNullFailsTheCallNamingIt() {
    Outcome outcome = new Pipeline(List.of(new Passing(), new ReturnsNull())).run(CALL);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            Outcome.Failed.class,
            f -> assertThat(f.detail()).isEqualTo("stage ReturnsNull returned no outcome"));
  }

  @Test
  void stageThatThrowsFailsTheCallAndOuterStagesStillSeeTheOutcome() {
    List<Outcome> seenByOuter = new ArrayList<>();
    Stage outer =
        (inv, chain) -> {
          Outcome o = chain.proceed(inv);
          seenByOuter.add(o);
          return o;
        };
    Outcome outcome = new Pipeline(List.of(outer, new Throws())).run(CALL);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            Outcome.Failed.class,
            f -> assertThat(f.detail()).isEqualTo("internal error in stage Throws"));
    assertThat(seenByOuter).containsExactly(outcome);
  }

  private static final class Twice implements Stage {
    @Override
    public Outcome handle(Invocation inv, Chain chain) {
      chain.proceed(inv);
      return chain.proceed(inv);
    }
  }

  private static final class Passing implements Stage {
    @Override
    public Outcome handle(Invocation inv, Chain chain) {
      return chain.proceed(inv);
    }
  }

  private static final class ReturnsNull implements Stage {
    @Override
    public Outcome handle(Invocation inv, Chain chain) {
      return null;
    }
  }

  private static final class Throws implements Stage {
    @Override
    public Outcome handle(Invocation inv, Chain chain) {
      throw new IllegalStateException("boom");
    }
  }
}
