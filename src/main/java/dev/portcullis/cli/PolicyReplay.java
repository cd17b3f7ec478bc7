package dev.portcullis.cli;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.UserRef;
import dev.portcullis.policy.RuleEvaluator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.LongConsumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Replays the calls in an audit log against a policy set: each call the policy decided is rebuilt
 * from the record that carries its decision (DENIED, or the first of EXECUTING and its end),
 * decided again, and compared with the recorded effect. A call is replayed once; records of calls
 * the policy never saw (unknown tools, invalid arguments) are counted apart.
 *
 * <p>Fidelity: the tool is resolved in today's catalog (its risk and connector as configured now),
 * and {@code context.time} is the instant of the record, which follows the call's arrival by the
 * time it took to decide. Calls whose arguments were recorded only as a digest are skipped.
 *
 * <p>Memory: only the ids of calls between their EXECUTING record and its end are held, so a log of
 * any length is replayed in bounded memory (apart from the list of changes).
 */
final class PolicyReplay {
  /** How often, in records, a replay reports progress. */
  static final long PROGRESS_EVERY = 10_000;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Why a decided call could not be replayed. */
  enum Skip {
    ARGUMENTS_DIGEST_ONLY(
        "arguments recorded only as a digest (the tool's audit: {arguments: digest})"),
    TOOL_NOT_IN_CATALOG("the tool is no longer in the catalog"),
    UNREADABLE_RECORD("the record cannot be read back into a call");

    private final String description;

    Skip(String description) {
      this.description = description;
    }

    String description() {
      return description;
    }

    String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** One call whose effect would change. */
  record Change(
      String invocationId,
      Instant recordedAt,
      String agent,
      String tool,
      String user,
      Effect from,
      Effect to,
      List<String> recordedReasons,
      List<String> rules,
      String recordedPolicyVersion) {
    String transition() {
      return from.wireName() + "→" + to.wireName();
    }
  }

  /** The changes that share one key (a rule, an agent or a tool). */
  record Group(String key, int count, Map<String, Integer> transitions, List<String> examples) {}

  /** What a replay found. */
  record Report(
      long records,
      long unchanged,
      List<Change> changes,
      Map<Skip, Long> skipped,
      long notDecided,
      Set<String> recordedVersions) {
    long replayed() {
      return unchanged + changes.size();
    }

    long skippedTotal() {
      return skipped.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Changes by each rule that decided under the candidate (a change decided by two rules counts
     * for both).
     */
    List<Group> byRule(int examples) {
      return groups(c -> c.rules(), examples);
    }

    List<Group> byAgent(int examples) {
      return groups(c -> List.of(c.agent()), examples);
    }

    List<Group> byTool(int examples) {
      return groups(c -> List.of(c.tool()), examples);
    }

    /** Largest group first, then by key. */
    private List<Group> groups(Function<Change, List<String>> keys, int examples) {
      Map<String, List<Change>> byKey = new LinkedHashMap<>();
      for (Change c : changes) {
        keys.apply(c).forEach(k -> byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(c));
      }
      return byKey.entrySet().stream()
          .map(
              e -> {
                Map<String, Integer> transitions = new LinkedHashMap<>();
                e.getValue().forEach(c -> transitions.merge(c.transition(), 1, Integer::sum));
                return new Group(
                    e.getKey(),
                    e.getValue().size(),
                    transitions,
                    e.getValue().stream().limit(examples).map(Change::invocationId).toList());
              })
          .sorted(
              java.util.Comparator.comparingInt(Group::count).reversed().thenComparing(Group::key))
          .toList();
    }
  }

  private final PolicyInputs inputs;
  private final LongConsumer progress;
  private final Set<String> open = new HashSet<>();
  private final List<Change> changes = new ArrayList<>();
  private final Map<Skip, Long> skipped = new EnumMap<>(Skip.class);
  private final Set<String> versions = new TreeSet<>();
  private long records;
  private long unchanged;
  private long notDecided;

  private PolicyReplay(PolicyInputs inputs, LongConsumer progress) {
    this.inputs = inputs;
    this.progress = progress;
  }

  /**
   * Replays every call in {@code log} against {@code inputs}' policy; {@code progress} gets the
   * record count.
   */
  static Report run(AuditLog log, PolicyInputs inputs, LongConsumer progress)
      throws AuditLog.AuditUnavailableException {
    PolicyReplay replay = new PolicyReplay(inputs, progress);
    log.scan(replay::visit);
    return new Report(
        replay.records,
        replay.unchanged,
        List.copyOf(replay.changes),
        Map.copyOf(replay.skipped),
        replay.notDecided,
        Set.copyOf(replay.versions));
  }

  private void visit(AuditRecord record) {
    records++;
    if (records % PROGRESS_EVERY == 0) {
      progress.accept(records);
    }
    AuditEntry e = record.entry();
    boolean terminal = terminal(e.state());
    if (open.contains(e.invocationId())) {
      if (terminal) {
        open.remove(e.invocationId());
      }
      return;
    }
    if (e.decision() == null || e.toolName() == null || e.toolVersion() == null) {
      if (terminal) {
        notDecided++;
      }
      return;
    }
    if (!terminal) {
      open.add(e.invocationId());
    }
    replay(e);
  }

  private void replay(AuditEntry e) {
    if (e.arguments() == null) {
      skip(Skip.ARGUMENTS_DIGEST_ONLY);
      return;
    }
    Optional<CatalogEntry> tool = inputs.catalog().find(e.toolName());
    if (tool.isEmpty()) {
      skip(Skip.TOOL_NOT_IN_CATALOG);
      return;
    }
    if (e.agentId() == null || e.tenant() == null) {
      skip(Skip.UNREADABLE_RECORD);
      return;
    }
    Invocation inv;
    Effect recorded;
    try {
      recorded = Effect.valueOf(e.decision().toUpperCase(Locale.ROOT));
      inv =
          Invocation.received(
                  e.invocationId(),
                  e.traceId(),
                  e.requestId(),
                  null,
                  new AgentRef(e.agentId(), e.tenant(), null),
                  user(e),
                  e.sessionId(),
                  e.channel() == null ? "unknown" : e.channel(),
                  e.toolName(),
                  JSON.readTree(e.arguments()),
                  context(e.context()),
                  e.recordedAt())
              .withTool(tool.get().tool().ref());
    } catch (JacksonException | IllegalArgumentException ex) {
      skip(Skip.UNREADABLE_RECORD);
      return;
    }
    if (e.policyVersion() != null) {
      versions.add(e.policyVersion());
    }
    Decision now = RuleEvaluator.decide(inputs.policy(), inv);
    if (now.effect() == recorded) {
      unchanged++;
    } else {
      changes.add(
          new Change(
              e.invocationId(),
              e.recordedAt(),
              e.agentId(),
              e.toolName(),
              inv.user() == null ? null : inv.user().id(),
              recorded,
              now.effect(),
              e.reasons(),
              now.ruleIds(),
              e.policyVersion()));
    }
  }

  private void skip(Skip why) {
    skipped.merge(why, 1L, Long::sum);
  }

  private static boolean terminal(String state) {
    try {
      return InvocationState.valueOf(state).isTerminal();
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  /**
   * The user as recorded: proven (verified, roles, groups), or only named by the agent in older
   * records.
   */
  private static UserRef user(AuditEntry e) {
    if (e.user() == null) {
      return e.userId() == null ? null : UserRef.asserted(e.userId());
    }
    JsonNode u = JSON.readTree(e.user());
    JsonNode tenant = u.path("tenant");
    return new UserRef(
        u.required("id").asString(),
        tenant.isString() ? tenant.asString() : null,
        strings(u.path("roles")),
        strings(u.path("groups")),
        u.path("verified").asBoolean(false));
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new HashSet<>();
    array.forEach(n -> out.add(n.asString()));
    return out;
  }

  private static Map<String, String> context(String json) {
    if (json == null) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    JSON.readTree(json).properties().forEach(p -> out.put(p.getKey(), p.getValue().asString()));
    return out;
  }
}
