package dev.portcullis.testing;

import dev.portcullis.audit.AuditChain;
import dev.portcullis.catalog.StaticCatalog;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.ToolRef;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcLedger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Leaves a call EXECUTING in a data directory, as a gateway killed mid-call would: the next gateway
 * opened on it moves the call to NEEDS_RECONCILIATION (InvocationRecovery).
 */
public final class Interrupted {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Interrupted() {}

  /**
   * Records {@code tool} with {@code argumentsJson} by billing-assistant, EXECUTING; answers its
   * id.
   */
  public static String refund(
      Path dataDir, String idempotencyKey, String tool, String argumentsJson) {
    return executing(dataDir, "billing-assistant", idempotencyKey, tool, argumentsJson, null, null)
        .invocationId();
  }

  /**
   * Records {@code tool} with {@code argumentsJson} by {@code agent} of tenant acme, resolved to
   * {@code ref} and allowed by {@code decision} (both may be null), EXECUTING; answers the call as
   * recorded.
   */
  public static Invocation executing(
      Path dataDir,
      String agent,
      String idempotencyKey,
      String tool,
      String argumentsJson,
      ToolRef ref,
      Decision decision) {
    JsonNode args = JSON.readTree(argumentsJson);
    Invocation inv =
        Invocation.received(
            UUID.randomUUID().toString(),
            "0af7651916cd43dd8448eb211c80319c",
            "req-1",
            idempotencyKey,
            new AgentRef(agent, "acme", null),
            null,
            null,
            "rest",
            tool,
            args,
            Map.of(),
            Invocations.T0);
    if (ref != null) {
      inv = inv.withTool(ref);
    }
    if (decision != null) {
      inv = inv.withDecision(decision);
    }
    Invocation executing = inv.movedTo(InvocationState.CHECKED).movedTo(InvocationState.EXECUTING);
    try (EmbeddedDatabase db = EmbeddedDatabase.open(dataDir)) {
      AuditEntries entries =
          new AuditEntries(
              Clock.fixed(Invocations.T0, ZoneOffset.UTC),
              "cfg",
              new StaticCatalog(List.of()),
              JSON);
      new JdbcLedger(db, JSON)
          .write(
              Transition.open(
                  inv,
                  AuditChain.sha256Hex(JSON.writeValueAsString(args)),
                  idempotencyKey != null,
                  List.of(InvocationState.CHECKED, InvocationState.EXECUTING),
                  null,
                  entries.transition(executing, InvocationState.EXECUTING)));
    } catch (InvocationStore.StoreException e) {
      throw new IllegalStateException(e);
    }
    return executing;
  }
}
