package dev.portcullis.service;

import dev.portcullis.pipeline.BeforeStateStage;
import dev.portcullis.pipeline.ExecuteStage;
import dev.portcullis.pipeline.FilterStage;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.ValidateStage;
import dev.portcullis.policy.PolicyEngine;
import java.util.Objects;

/**
 * The stages an approved call takes again, from validation on ({@link Pipeline#resumed}); the
 * validate stage and the policy also check an approver's edited arguments.
 */
public record ResumedRoad(
    ValidateStage validate,
    PolicyEngine policy,
    FilterStage filter,
    BeforeStateStage before,
    ExecuteStage execute) {
  public ResumedRoad {
    Objects.requireNonNull(validate, "validate");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(execute, "execute");
  }
}
