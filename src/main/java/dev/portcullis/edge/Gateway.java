package dev.portcullis.edge;

import dev.portcullis.identity.Approvers;
import dev.portcullis.identity.Identities;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.pipeline.ArgumentShape;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.ToolDirectory;
import dev.portcullis.service.Approvals;
import dev.portcullis.service.InvocationAdmin;
import java.time.Clock;
import java.util.Objects;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the edges need from the house: who is asking, which tools they see, the road, where the
 * state of each call is kept, the approval requests with who may decide them, and what those
 * approvers do with stored calls as operators (settle, revert), and the shape every call's
 * arguments must have, checked before anything is stored.
 */
public record Gateway(
    Identities identities,
    ToolDirectory tools,
    Pipeline pipeline,
    InvocationStore invocations,
    Clock clock,
    JsonMapper json,
    Approvals approvals,
    Approvers approvers,
    InvocationAdmin admin,
    ArgumentShape arguments) {
  public Gateway {
    Objects.requireNonNull(identities, "identities");
    Objects.requireNonNull(tools, "tools");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(invocations, "invocations");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(approvals, "approvals");
    Objects.requireNonNull(approvers, "approvers");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(arguments, "arguments");
  }
}
