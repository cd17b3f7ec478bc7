package dev.portcullis.pipeline;

import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an invocation through an ordered list of stages. The runner alone enforces the chain's
 * rules: a stage proceeds at most once, never returns null, and the last stage must end the call. A
 * stage that throws ends the call as an internal failure that names the stage; the stages outside
 * it (audit first) still see and record that outcome.
 */
public final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  private final List<Stage> stages;

  public Pipeline(List<Stage> stages) {
    this.stages = List.copyOf(stages);
    if (this.stages.isEmpty()) {
      throw new IllegalArgumentException("a pipeline needs at least one stage");
    }
  }

  /** The one order every call takes. A test asserts this list. */
  public static Pipeline standard(
      LedgerStage ledger,
      CatalogStage catalog,
      ValidateStage validate,
      PolicyStage policy,
      LimitsStage limits,
      ApprovalStage approval,
      FilterStage filter,
      CommitStage commit,
      BeforeStateStage before,
      ExecuteStage execute) {
    return new Pipeline(
        List.of(
            ledger, catalog, validate, policy, limits, approval, filter, commit, before, execute));
  }

  /**
   * The road of a call a person approved, from validation on: the call is already recorded
   * (AWAITING_APPROVAL), so nothing before validation runs again. A test asserts this list.
   */
  public static Pipeline resumed(
      LedgerStage ledger,
      ValidateStage validate,
      PolicyStage policy,
      FilterStage filter,
      CommitStage commit,
      BeforeStateStage before,
      ExecuteStage execute) {
    return new Pipeline(List.of(ledger, validate, policy, filter, commit, before, execute));
  }

  public List<Stage> stages() {
    return stages;
  }

  public Outcome run(Invocation invocation) {
    return new RealChain(0, Objects.requireNonNull(invocation)).proceed(invocation);
  }

  private final class RealChain implements Stage.Chain {
    private final int index;
    private final Invocation invocation;
    private boolean proceeded;

    RealChain(int index, Invocation invocation) {
      this.index = index;
      this.invocation = invocation;
    }

    @Override
    public Invocation invocation() {
      return invocation;
    }

    @Override
    public Outcome proceed(Invocation next) {
      Objects.requireNonNull(next, "invocation");
      if (index >= stages.size()) {
        throw new ChainViolation(
            "the last stage " + name(stages.size() - 1) + " must end the call, not proceed");
      }
      if (proceeded) {
        throw new ChainViolation("stage " + name(index - 1) + " must call proceed() at most once");
      }
      proceeded = true;
      Stage stage = stages.get(index);
      Outcome outcome;
      try {
        outcome = stage.handle(next, new RealChain(index + 1, next));
      } catch (ChainViolation violation) {
        LOG.error(
            "chain rule broken on invocation {}: {}", next.invocationId(), violation.getMessage());
        return new Outcome.Failed(next, FailureKind.INTERNAL, violation.getMessage());
      } catch (RuntimeException bug) {
        LOG.error("stage {} failed on invocation {}", name(index), next.invocationId(), bug);
        return new Outcome.Failed(
            next, FailureKind.INTERNAL, "internal error in stage " + name(index));
      }
      if (outcome == null) {
        LOG.error(
            "stage {} returned no outcome for invocation {}", name(index), next.invocationId());
        return new Outcome.Failed(
            next, FailureKind.INTERNAL, "stage " + name(index) + " returned no outcome");
      }
      return outcome;
    }

    private String name(int i) {
      return stages.get(i).getClass().getSimpleName();
    }
  }

  /** A stage broke the chain's rules; the message names the stage at fault. */
  static final class ChainViolation extends IllegalStateException {
    ChainViolation(String message) {
      super(message);
    }
  }
}
