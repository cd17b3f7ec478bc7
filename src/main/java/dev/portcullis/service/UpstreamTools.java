package dev.portcullis.service;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.DescriptorHash;
import dev.portcullis.catalog.Hold;
import dev.portcullis.catalog.JsonSchemaCompiler;
import dev.portcullis.catalog.LiveCatalog;
import dev.portcullis.catalog.ToolDefinition;
import dev.portcullis.catalog.ToolPin;
import dev.portcullis.catalog.ToolPins;
import dev.portcullis.catalog.UpstreamToolSpec;
import dev.portcullis.connector.mcp.McpConnector;
import dev.portcullis.connector.mcp.McpUpstream;
import dev.portcullis.connector.mcp.UpstreamException;
import dev.portcullis.connector.mcp.UpstreamTool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps the catalog's upstream MCP tools in line with two things: the operators' approvals (pins)
 * and what each upstream describes right now. A configured tool nobody approved is held (not
 * approved); an approved tool whose live descriptor differs from its pin, or that the upstream no
 * longer offers, is quarantined: denied, with the call audited, until an operator re-approves it.
 * Agents are always shown the pinned descriptor, never the live one.
 *
 * <p>Until an upstream's descriptors are known (it has not answered since start), its approved
 * tools are held as unverified: a restart never lets a tool through unchecked. The same holds after
 * a listing fails or is refused (over its {@code maxTools} or {@code maxMessageBytes}, a tool named
 * twice): the descriptors are unknown again, since an upstream that rug-pulls a tool and then fails
 * {@code tools/list} must not keep it callable on the last good listing. A tool already quarantined
 * stays quarantined; the next good listing decides again.
 *
 * <p>Several nodes: on a store several nodes share, each node lists the upstream on its own
 * connection, so a rug-pull is found first by whichever node lists first. That node records the
 * quarantine in the store against the approval it was found against ({@link ToolPins#quarantine}),
 * which signals the others; every node then holds the tool as quarantined, whatever its own listing
 * says, until an operator approves it again (a new approval version). So on a shared store a
 * quarantine lifts only by a new approval, never by the upstream changing the descriptor back: the
 * tool was seen changed, and someone must look. On the embedded store nothing is recorded and a
 * listing that matches the approval again lifts it, as before.
 *
 * <p>Concurrency: publishes are serialised on this object; the catalog swaps snapshots.
 */
public final class UpstreamTools implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamTools.class);

  private final LiveCatalog catalog;
  private final ToolPins pins;
  private final Map<String, McpConnector> connectors;
  private final Map<String, List<UpstreamToolSpec>> specs;
  private final JsonSchemaCompiler schemas = new JsonSchemaCompiler();
  private final Map<String, List<UpstreamTool>> live = new ConcurrentHashMap<>();
  private final Map<String, String> listingFailures = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Hold>> reported = new HashMap<>();
  private Map<String, ToolPin> currentPins = Map.of();
  private Map<String, ToolPins.Quarantine> sharedQuarantines = Map.of();
  private ScheduledExecutorService schedule;

  /** This node's name on a store several nodes share, which then share quarantines; else null. */
  private final String node;

  private final Clock clock;

  /** On a store one gateway owns: quarantines are this gateway's own. */
  public UpstreamTools(
      LiveCatalog catalog,
      ToolPins pins,
      List<McpConnector> connectors,
      List<UpstreamToolSpec> specs) {
    this(catalog, pins, connectors, specs, null, Clock.systemUTC());
  }

  /**
   * With {@code node} not null (a store several nodes share), a quarantine found by any node holds
   * on every node (see the class comment).
   */
  public UpstreamTools(
      LiveCatalog catalog,
      ToolPins pins,
      List<McpConnector> connectors,
      List<UpstreamToolSpec> specs,
      String node,
      Clock clock) {
    this.node = node;
    this.clock = clock;
    this.catalog = catalog;
    this.pins = pins;
    Map<String, McpConnector> byName = new LinkedHashMap<>();
    connectors.forEach(c -> byName.put(c.name(), c));
    this.connectors = Map.copyOf(byName);
    Map<String, List<UpstreamToolSpec>> byConnector = new LinkedHashMap<>();
    specs.forEach(s -> byConnector.computeIfAbsent(s.connector(), k -> new ArrayList<>()).add(s));
    this.specs = Map.copyOf(byConnector);
    this.connectors
        .values()
        .forEach(
            c ->
                c.upstream()
                    .onToolsChanged(
                        new McpUpstream.ToolsListener() {
                          @Override
                          public void listed(List<UpstreamTool> tools) {
                            LOG.debug(
                                "upstream {} says its tools changed; checking them against their approvals",
                                c.name());
                            listedNow(c.name(), tools);
                          }

                          @Override
                          public void listingFailed(String reason) {
                            failedNow(c.name(), reason);
                          }
                        }));
  }

  /**
   * Lists every upstream now (in the background), then every {@code relistEvery}; reads the
   * approvals every {@code pinPoll}, so an approval made with {@code portcullis tools approve} in
   * another process takes effect without a restart. Does nothing without upstreams.
   */
  public synchronized void start(Duration pinPoll, Duration relistEvery) {
    if (connectors.isEmpty() || schedule != null) {
      return;
    }
    schedule =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "upstream-tools");
              t.setDaemon(true);
              return t;
            });
    var unusedRelist =
        schedule.scheduleWithFixedDelay(
            () -> {
              try {
                relist();
              } catch (RuntimeException e) {
                LOG.warn("listing the upstream tools failed: {}", e.toString());
              }
            },
            0,
            relistEvery.toMillis(),
            TimeUnit.MILLISECONDS);
    var unusedPins =
        schedule.scheduleWithFixedDelay(
            () -> {
              try {
                reloadPins();
              } catch (ToolPins.PinStoreException | RuntimeException e) {
                LOG.warn("cannot read the tool approvals: {}", e.getMessage());
              }
            },
            pinPoll.toMillis(),
            pinPoll.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (schedule != null) {
      schedule.shutdownNow();
      schedule = null;
    }
  }

  /**
   * Reads the approvals and publishes every upstream's tools; the live descriptors as last seen.
   */
  public synchronized void reloadPins() throws ToolPins.PinStoreException {
    Map<String, ToolPin> next = new HashMap<>();
    pins.current().forEach(p -> next.put(p.tool(), p));
    Map<String, ToolPins.Quarantine> quarantines = new HashMap<>();
    if (node != null) {
      pins.quarantines().forEach(q -> quarantines.put(q.tool(), q));
    }
    if (next.equals(currentPins) && quarantines.equals(sharedQuarantines) && !reported.isEmpty()) {
      return;
    }
    currentPins = Map.copyOf(next);
    sharedQuarantines = Map.copyOf(quarantines);
    specs.keySet().forEach(this::publish);
  }

  /**
   * Asks each upstream for its tools now and publishes the result; an upstream whose listing fails
   * or is refused has its approved tools held until it lists them again.
   */
  public void relist() {
    for (McpConnector c : connectors.values()) {
      try {
        listedNow(c.name(), c.upstream().listTools());
      } catch (UpstreamException e) {
        failedNow(c.name(), e.getMessage());
      }
    }
  }

  private synchronized void listedNow(String connector, List<UpstreamTool> tools) {
    live.put(connector, tools);
    listingFailures.remove(connector);
    publish(connector);
  }

  private synchronized void failedNow(String connector, String reason) {
    LOG.warn("upstream {}: {}; its tools are held until it lists them again", connector, reason);
    live.remove(connector);
    listingFailures.put(connector, reason);
    publish(connector);
  }

  private synchronized void publish(String connector) {
    Map<String, Hold> before = reported.getOrDefault(connector, Map.of());
    Published p =
        evaluate(
            connector,
            specs.getOrDefault(connector, List.of()),
            Optional.ofNullable(live.get(connector)),
            currentPins,
            schemas,
            Optional.ofNullable(listingFailures.get(connector)),
            before);
    Map<String, Hold> holds = shared(connector, p.holds());
    holds.forEach(
        (tool, hold) -> {
          if (hold.kind() == Hold.Kind.QUARANTINED && !hold.equals(before.get(tool))) {
            LOG.warn("tool {} quarantined: {}", tool, hold.reason());
          }
        });
    before.keySet().stream()
        .filter(t -> !holds.containsKey(t))
        .forEach(t -> LOG.info("tool {} may be called now", t));
    reported.put(connector, holds);
    catalog.publish(connector, p.entries(), holds);
  }

  /**
   * On a shared store: {@code holds} with every quarantine another node recorded against a tool's
   * newest approval added, and each quarantine found here recorded for the others. A quarantine
   * that cannot be recorded holds here and is recorded at the next publish.
   */
  private Map<String, Hold> shared(String connector, Map<String, Hold> holds) {
    if (node == null) {
      return holds;
    }
    Map<String, Hold> out = new LinkedHashMap<>(holds);
    for (UpstreamToolSpec spec : specs.getOrDefault(connector, List.of())) {
      ToolPin pin = currentPins.get(spec.name());
      if (pin == null) {
        continue;
      }
      ToolPins.Quarantine recorded = sharedQuarantines.get(spec.name());
      boolean recordedHere = recorded != null && recorded.pinVersion() == pin.version();
      Hold local = out.get(spec.name());
      if (local != null && local.kind() == Hold.Kind.QUARANTINED) {
        // only what a listing found now is recorded: a quarantine kept while the listing is
        // unknown may predate the newest approval, and must not be pinned on it
        if (!recordedHere && live.containsKey(connector)) {
          record(
              new ToolPins.Quarantine(
                  spec.name(), pin.version(), local.reason(), node, clock.instant()));
        }
      } else if (recordedHere) {
        out.put(spec.name(), new Hold(Hold.Kind.QUARANTINED, recorded.reason()));
      }
    }
    return out;
  }

  private void record(ToolPins.Quarantine q) {
    try {
      pins.quarantine(q);
      Map<String, ToolPins.Quarantine> next = new HashMap<>(sharedQuarantines);
      next.put(q.tool(), q);
      sharedQuarantines = Map.copyOf(next);
    } catch (ToolPins.PinStoreException e) {
      LOG.warn(
          "{}; it holds on this node, and is recorded for the others when the store answers",
          e.getMessage());
    }
  }

  /** What one upstream contributes: callable entries (pinned descriptors) and holds. */
  public record Published(List<CatalogEntry> entries, Map<String, Hold> holds) {}

  /**
   * The rules, as one pure function: for each configured tool of {@code connector}, its pin and its
   * live descriptor ({@code live} empty when unknown) decide whether it is callable.
   */
  public static Published evaluate(
      String connector,
      List<UpstreamToolSpec> specs,
      Optional<List<UpstreamTool>> live,
      Map<String, ToolPin> pins,
      JsonSchemaCompiler schemas) {
    return evaluate(connector, specs, live, pins, schemas, Optional.empty(), Map.of());
  }

  /**
   * As above, when the live descriptors are unknown because the last listing failed ({@code
   * listingFailure}, its reason): every approved tool is held, and one that {@code previous} holds
   * as quarantined stays quarantined.
   */
  public static Published evaluate(
      String connector,
      List<UpstreamToolSpec> specs,
      Optional<List<UpstreamTool>> live,
      Map<String, ToolPin> pins,
      JsonSchemaCompiler schemas,
      Optional<String> listingFailure,
      Map<String, Hold> previous) {
    Map<String, UpstreamTool> liveByName = new HashMap<>();
    live.ifPresent(l -> l.forEach(t -> liveByName.put(t.name(), t)));
    List<CatalogEntry> entries = new ArrayList<>();
    Map<String, Hold> holds = new LinkedHashMap<>();
    for (UpstreamToolSpec spec : specs) {
      ToolPin pin = pins.get(spec.name());
      if (pin == null) {
        holds.put(
            spec.name(),
            new Hold(
                Hold.Kind.NOT_APPROVED,
                "tool "
                    + spec.name()
                    + " has not been approved by an operator yet (portcullis tools approve "
                    + spec.name()
                    + ")"));
        continue;
      }
      Optional<CatalogEntry> entry = entry(spec, pin, schemas);
      if (entry.isEmpty()) {
        holds.put(
            spec.name(),
            new Hold(
                Hold.Kind.QUARANTINED,
                "the approved descriptor of "
                    + spec.name()
                    + " has an unusable input schema; review it with portcullis tools diff "
                    + spec.name()));
        continue;
      }
      entries.add(entry.get());
      if (live.isEmpty()) {
        Hold kept = previous.get(spec.name());
        if (kept != null && kept.kind() == Hold.Kind.QUARANTINED) {
          holds.put(spec.name(), kept);
        } else if (listingFailure.isPresent()) {
          holds.put(
              spec.name(),
              new Hold(
                  Hold.Kind.UNVERIFIED,
                  "the last listing of upstream "
                      + connector
                      + " failed or was refused, so "
                      + spec.name()
                      + " cannot be checked against its approval; it is held"
                      + " until the upstream lists its tools again; try again shortly"));
        } else {
          holds.put(
              spec.name(),
              new Hold(
                  Hold.Kind.UNVERIFIED,
                  "upstream "
                      + connector
                      + " has not answered since the"
                      + " gateway started, so "
                      + spec.name()
                      + " has not been checked against its approval yet; try again shortly"));
        }
        continue;
      }
      UpstreamTool now = liveByName.get(spec.upstreamName());
      if (now == null) {
        holds.put(
            spec.name(),
            new Hold(
                Hold.Kind.QUARANTINED,
                "upstream "
                    + connector
                    + " no longer offers "
                    + spec.upstreamName()
                    + "; it stays quarantined until it is offered and approved again"));
        continue;
      }
      String fingerprint = DescriptorHash.ofUpstream(now.descriptor());
      if (!fingerprint.equals(pin.fingerprint())) {
        holds.put(
            spec.name(),
            new Hold(
                Hold.Kind.QUARANTINED,
                "the descriptor of "
                    + spec.name()
                    + " changed upstream since it was approved (approved "
                    + shortHash(pin.fingerprint())
                    + ", now "
                    + shortHash(fingerprint)
                    + "); an operator must review it (portcullis tools diff "
                    + spec.name()
                    + ") and approve it again"));
      }
    }
    return new Published(List.copyOf(entries), holds);
  }

  /**
   * The catalog entry for a pinned descriptor: what the agent sees and what arguments are checked
   * against.
   */
  static Optional<CatalogEntry> entry(
      UpstreamToolSpec spec, ToolPin pin, JsonSchemaCompiler schemas) {
    JsonNode d = pin.descriptor();
    JsonNode rawSchema = d.path("inputSchema");
    if (!rawSchema.isObject()) {
      return Optional.empty();
    }
    ObjectNode schema = ((ObjectNode) rawSchema).deepCopy();
    if (!schema.has("additionalProperties") && !schema.has("unevaluatedProperties")) {
      schema.put("additionalProperties", false);
    }
    String title = d.path("title").isString() ? d.path("title").asString() : null;
    String description = d.path("description").isString() ? d.path("description").asString() : "";
    String version = "pin-" + pin.version();
    ObjectNode binding = JsonNodeFactory.instance.objectNode();
    binding.put("upstream", spec.upstreamName());
    binding.put("fingerprint", pin.fingerprint());
    try {
      var compiled = schemas.compile(spec.name(), schema);
      String hash =
          DescriptorHash.of(
              spec.name(),
              title,
              description,
              version,
              spec.risk(),
              spec.connector(),
              schema,
              binding,
              spec.resultConfig());
      ToolDefinition tool =
          new ToolDefinition(
              spec.name(),
              title,
              description,
              version,
              spec.risk(),
              spec.connector(),
              schema,
              spec.auditArgumentsDigestOnly(),
              hash);
      return Optional.of(new CatalogEntry(tool, compiled, spec.result()));
    } catch (IllegalArgumentException e) {
      LOG.warn("tool {}: the approved input schema is not usable: {}", spec.name(), e.getMessage());
      return Optional.empty();
    }
  }

  private static String shortHash(String fingerprint) {
    return fingerprint.length() > 19 ? fingerprint.substring(0, 19) : fingerprint;
  }
}
