package dev.portcullis.pipeline;

import dev.portcullis.audit.AuditChain;
import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.FilterReport;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.UserRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the audit record of one transition of an invocation. Arguments are recorded in full, or
 * only as their SHA-256 digest for tools configured so. A completed call's record lists what the
 * filter stage dropped and redacted, by path and kind.
 */
public final class AuditEntries {
  /**
   * The digest of arguments (or any JSON value) as every record and store names it: SHA-256 of its
   * JSON as parsed. One definition, so the audit log, the invocation store, votes and the tamper
   * check always agree.
   */
  public static String digest(JsonMapper json, JsonNode value) {
    return AuditChain.sha256Hex(json.writeValueAsString(value));
  }

  /** The most dropped paths, and the most redactions, one audit record lists. */
  static final int MAX_LISTED = 100;

  /**
   * The last arguments this thread serialised, by identity: a call's records (its commit and its
   * ending, on one thread) serialise and hash its arguments once between them.
   */
  private static final ThreadLocal<Serialized> LAST = new ThreadLocal<>();

  private final Clock clock;
  private final String configHash;
  private final Catalog catalog;
  private final JsonMapper json;

  public AuditEntries(Clock clock, String configHash, Catalog catalog, JsonMapper json) {
    this.clock = clock;
    this.configHash = configHash;
    this.catalog = catalog;
    this.json = json;
  }

  /** The time the records made now are stamped with (the injected clock's). */
  public java.time.Instant now() {
    return clock.instant();
  }

  /** The record of the call entering {@code state}, before its outcome is known. */
  public AuditEntry transition(Invocation inv, InvocationState state) {
    return entry(inv, state, List.of()).build();
  }

  /**
   * The record of an event of the call in {@code state}, with {@code reasons} saying what happened.
   */
  public AuditEntry transition(Invocation inv, InvocationState state, List<String> reasons) {
    return entry(inv, state, reasons).build();
  }

  /**
   * The record of something done to a stored call that is not its own transition: an operator's act
   * (settling it, reverting it: reasons {@code settled-by:ID}, {@code revert-by:ID}) or an event of
   * a parked call (a notice sent or failed, a person's or the deadline's refusal: reasons naming
   * the approval and who acted). It names the state it leaves the call in, and what and why in
   * {@code kind} and {@code detail} (null when nothing failed or was refused).
   */
  public AuditEntry event(
      Invocation inv,
      InvocationState state,
      List<? extends AuditReason> events,
      String kind,
      String detail) {
    return entry(inv, state, AuditReason.wire(events)).errorKind(kind).errorDetail(detail).build();
  }

  /** The record of how the call ended. */
  public AuditEntry terminal(Outcome outcome) {
    return terminal(outcome.invocation(), outcome, List.of());
  }

  /** The record of how the call ended, with {@code reasons} saying how it got there. */
  public AuditEntry terminal(Outcome outcome, List<String> reasons) {
    return terminal(outcome.invocation(), outcome, reasons);
  }

  /**
   * The record of {@code retry}, which repeated an idempotency key and got {@code first}'s outcome
   * again without running: its own ids, the first call's tool, decision and ending, and the reason
   * {@code idempotent-replay:FIRST_ID}.
   */
  public AuditEntry replay(Invocation retry, Outcome first) {
    Invocation inv = retry;
    if (first.invocation().tool() != null) {
      inv = inv.withTool(first.invocation().tool());
    }
    if (first.invocation().decision() != null) {
      inv = inv.withDecision(first.invocation().decision());
    }
    return terminal(
        inv, first, List.of(new AuditReason.Replay(first.invocation().invocationId()).wire()));
  }

  /**
   * The record of a call found EXECUTING after a restart: moved to NEEDS_RECONCILIATION, never
   * re-run.
   */
  public AuditEntry interrupted(Invocation inv, String detail) {
    return interrupted(inv, detail, List.of());
  }

  /**
   * As {@link #interrupted(Invocation, String)}, with {@code reasons} saying what recovery does
   * with it (a re-send) or learnt of it.
   */
  public AuditEntry interrupted(Invocation inv, String detail, List<String> reasons) {
    return entry(inv, InvocationState.NEEDS_RECONCILIATION, reasons)
        .errorKind(Ending.INTERRUPTED)
        .errorDetail(detail)
        .build();
  }

  /**
   * As {@link #event(Invocation, InvocationState, List, String, String)} for an act that refuses
   * nothing and fails nothing (an approver's vote, edit or approval).
   */
  public AuditEntry event(
      Invocation inv, InvocationState state, List<? extends AuditReason> events) {
    return event(inv, state, events, null, null);
  }

  private AuditEntry terminal(Invocation inv, Outcome outcome, List<String> extra) {
    Instant now = clock.instant();
    long durationMs = Math.max(0, Duration.between(inv.receivedAt(), now).toMillis());
    return switch (outcome) {
      case Outcome.Completed c ->
          entry(inv, c.state(), extra)
              .durationMs(durationMs)
              .filtered(
                  c.filtered() == null || c.filtered().isEmpty()
                      ? null
                      : json.writeValueAsString(filtered(c.filtered())))
              .build();
      case Outcome.Denied d ->
          entry(inv, d.state(), join(d.reasons(), extra))
              .errorKind(d.kind().name().toLowerCase(java.util.Locale.ROOT))
              .errorDetail(d.message())
              .durationMs(durationMs)
              .build();
      case Outcome.Failed f ->
          entry(inv, f.state(), extra)
              .errorKind(f.kind().name().toLowerCase(java.util.Locale.ROOT))
              .errorDetail(f.detail())
              .durationMs(durationMs)
              .build();
      case Outcome.AwaitingApproval a ->
          entry(
                  inv,
                  a.state(),
                  join(List.of(new AuditReason.Approval(a.approvalId()).wire()), extra))
              .durationMs(durationMs)
              .build();
    };
  }

  private static List<String> join(List<String> a, List<String> b) {
    if (b.isEmpty()) {
      return a;
    }
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * A record of {@code inv} in {@code state} with everything the invocation says (ids, tool,
   * arguments, decision, user, context, credential use) and its reasons: the decision's rule ids
   * and errors, then {@code extraReasons} not already among them. The caller adds what only it
   * knows (error kind and detail, duration, filter report).
   */
  private AuditEntry.Builder entry(
      Invocation inv, InvocationState state, List<String> extraReasons) {
    Serialized args = serialized(inv.arguments());
    String argumentsJson = args.json();
    boolean digestOnly =
        catalog
            .find(inv.toolName())
            .map(CatalogEntry::tool)
            .map(t -> t.auditArgumentsDigestOnly())
            .orElse(false);
    Decision decision = inv.decision();
    List<String> reasons = new ArrayList<>();
    if (decision != null) {
      reasons.addAll(decision.ruleIds());
      decision.errors().forEach(e -> reasons.add("error: " + e));
    }
    if (extraReasons != null) {
      extraReasons.stream().filter(r -> !reasons.contains(r)).forEach(reasons::add);
    }
    return AuditEntry.builder(
            clock.instant(), inv.invocationId(), inv.traceId(), state.name(), configHash)
        .requestId(inv.requestId())
        .tenant(inv.tenant())
        .agentId(inv.agent().id())
        .userId(inv.user() == null ? null : inv.user().id())
        .sessionId(inv.sessionId())
        .channel(inv.channel())
        .toolName(inv.toolName())
        .toolVersion(inv.tool() == null ? null : inv.tool().version())
        .descriptorHash(inv.tool() == null ? null : inv.tool().descriptorHash())
        .arguments(digestOnly ? null : argumentsJson)
        .argumentsDigest(args.digest())
        .decision(decision == null ? null : decision.effect().wireName())
        .reasons(reasons)
        .policyVersion(decision == null ? null : decision.policyVersion())
        .shadows(
            decision == null || decision.shadows().isEmpty()
                ? null
                : json.writeValueAsString(shadows(decision)))
        .user(inv.user() == null ? null : json.writeValueAsString(user(inv.user())))
        .context(
            inv.policyContext().isEmpty()
                ? null
                : json.writeValueAsString(new java.util.TreeMap<>(inv.policyContext())))
        .credential(
            inv.credential() == null
                ? null
                : json.writeValueAsString(credential(inv.credential())));
  }

  /** Arguments as recorded by {@code mapper}: their JSON and its SHA-256. */
  private record Serialized(JsonMapper mapper, JsonNode node, String json, String digest) {}

  /** The same arguments object (identity: arguments are never mutated) is serialised once. */
  @SuppressWarnings("ReferenceEquality")
  private Serialized serialized(JsonNode arguments) {
    Serialized s = LAST.get();
    if (s == null || s.node() != arguments || s.mapper() != json) {
      String text = json.writeValueAsString(arguments);
      s = new Serialized(json, arguments, text, AuditChain.sha256Hex(text));
      LAST.set(s);
    }
    return s;
  }

  private static List<Map<String, Object>> shadows(Decision d) {
    return d.shadows().stream()
        .map(
            s -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("rule", s.ruleId());
              m.put("wouldBe", s.wouldBe().wireName());
              m.put("flips", s.flips());
              return m;
            })
        .toList();
  }

  private static Map<String, Object> credential(CredentialUse c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ref", c.ref());
    if (c.version() > 0) {
      m.put("version", c.version());
    }
    if (c.echoMasked()) {
      m.put("echoMasked", true);
    }
    return m;
  }

  /**
   * What the filter took out, bounded: the first {@value #MAX_LISTED} dropped paths and redactions,
   * with the totals when there were more, so a large result cannot swell the log.
   */
  private static Map<String, Object> filtered(FilterReport f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dropped", f.dropped().stream().limit(MAX_LISTED).toList());
    if (f.dropped().size() > MAX_LISTED) {
      m.put("droppedTotal", f.dropped().size());
    }
    m.put(
        "redacted",
        f.redacted().stream()
            .limit(MAX_LISTED)
            .map(
                r -> {
                  Map<String, Object> one = new LinkedHashMap<>();
                  one.put("path", r.path());
                  one.put("kind", r.kind());
                  return one;
                })
            .toList());
    if (f.redacted().size() > MAX_LISTED) {
      m.put("redactedTotal", f.redacted().size());
    }
    return m;
  }

  private static Map<String, Object> user(UserRef u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", u.id());
    m.put("verified", u.verified());
    if (u.tenant() != null) {
      m.put("tenant", u.tenant());
    }
    m.put("roles", new java.util.TreeSet<>(u.roles()));
    m.put("groups", new java.util.TreeSet<>(u.groups()));
    return m;
  }
}
