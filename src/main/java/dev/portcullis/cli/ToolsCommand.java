package dev.portcullis.cli;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import dev.portcullis.catalog.DescriptorHash;
import dev.portcullis.catalog.ToolPin;
import dev.portcullis.catalog.ToolPins;
import dev.portcullis.catalog.UpstreamToolSpec;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.McpConnectorSpec;
import dev.portcullis.connector.mcp.McpUpstream;
import dev.portcullis.connector.mcp.UpstreamException;
import dev.portcullis.connector.mcp.UpstreamTool;
import dev.portcullis.store.Database;
import dev.portcullis.store.JdbcToolPins;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis tools …}: review and approve the descriptors of upstream MCP tools. An upstream
 * tool is callable only once an operator has approved its descriptor (name, title, description,
 * input schema, annotations); a later change upstream quarantines it until the change is reviewed
 * with {@code diff} and approved again. Works while a gateway runs on the same data directory: it
 * sees an approval within two seconds.
 */
@Command(
    name = "tools",
    mixinStandardHelpOptions = true,
    description = "Review and approve the tools of upstream MCP servers.",
    subcommands = {
      ToolsCommand.ListTools.class,
      ToolsCommand.Diff.class,
      ToolsCommand.Approve.class
    })
final class ToolsCommand implements Runnable {
  private static final JsonMapper PRETTY =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every tools command shares. */
  static final class Common {
    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "The gateway's configuration file.")
    Path config;

    @Option(
        names = {"-d", "--data"},
        paramLabel = "DIR",
        description = "The data directory (default: $PORTCULLIS_DATA, else ./data).")
    Path data;

    <T> T with(Action<T> action) {
      Map<String, String> env = System.getenv();
      GatewayConfig cfg = ConfigFiles.load(config, env);
      Path dir = DataDirectory.resolve(data, env);
      JsonMapper json = JsonMapper.builder().build();
      try (Database db = OpenedStore.database(cfg.store(), dir, env)) {
        var secrets =
            Assembly.secrets(cfg, env, dir, db, MasterKeys.load(null, env, dir), Clock.systemUTC());
        Upstreams upstreams =
            spec ->
                Assembly.upstream(spec, cfg.source().toAbsolutePath().getParent(), secrets, json);
        return action.apply(cfg, new JdbcToolPins(db.dataSource(), json, db.dialect()), upstreams);
      } catch (ToolPins.PinStoreException e) {
        throw new CliException(e.getMessage());
      }
    }
  }

  /** Opens the client of one upstream. */
  interface Upstreams {
    McpUpstream open(McpConnectorSpec spec);
  }

  /** What a command does. */
  interface Action<T> {
    T apply(GatewayConfig config, ToolPins pins, Upstreams upstreams)
        throws ToolPins.PinStoreException;
  }

  /** {@code tools list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Show each configured upstream tool: approved, not approved, quarantined (changed since approval) or no longer offered.")
  static final class ListTools implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Common common;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      return common.with(
          (config, pins, upstreams) -> {
            Map<String, ToolPin> pinned = byTool(pins.current());
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"TOOL", "STATUS", "APPROVED", "LIVE"});
            int attention = 0;
            for (McpConnectorSpec c : mcpConnectors(config)) {
              Optional<Map<String, UpstreamTool>> live =
                  live(upstreams, c, spec.commandLine().getErr());
              for (UpstreamToolSpec t : c.tools()) {
                ToolPin pin = pinned.get(t.name());
                UpstreamTool now = live.map(l -> l.get(t.upstreamName())).orElse(null);
                String liveHash = now == null ? "-" : DescriptorHash.ofUpstream(now.descriptor());
                String status = status(pin, live.isPresent(), now, liveHash);
                if (!status.equals("approved")) {
                  attention++;
                }
                rows.add(
                    new String[] {
                      t.name(),
                      status,
                      pin == null
                          ? "-"
                          : shortHash(pin.fingerprint())
                              + " v"
                              + pin.version()
                              + " by "
                              + pin.approvedBy(),
                      now == null ? "-" : shortHash(liveHash)
                    });
              }
              live.ifPresent(
                  l -> {
                    long extra =
                        l.keySet().stream()
                            .filter(
                                n -> c.tools().stream().noneMatch(t -> t.upstreamName().equals(n)))
                            .count();
                    if (extra > 0) {
                      spec.commandLine()
                          .getErr()
                          .printf(
                              "upstream %s offers %d more tool(s) not in the configuration (blocked)%n",
                              c.name(), extra);
                    }
                  });
            }
            table(out, rows);
            if (attention > 0) {
              out.printf(
                  "%d tool(s) need an operator: review with 'portcullis tools diff TOOL', then approve%n",
                  attention);
            }
            return 0;
          });
    }

    private static String status(
        ToolPin pin, boolean reachable, UpstreamTool now, String liveHash) {
      if (!reachable) {
        return pin == null
            ? "not approved (upstream unreachable)"
            : "approved (upstream unreachable)";
      }
      if (now == null) {
        return pin == null ? "not offered" : "quarantined: no longer offered";
      }
      if (pin == null) {
        return "not approved";
      }
      return pin.fingerprint().equals(liveHash) ? "approved" : "quarantined: changed";
    }
  }

  /** {@code tools diff}. */
  @Command(
      name = "diff",
      mixinStandardHelpOptions = true,
      description =
          "Show how TOOL's live descriptor differs from the approved one. Exit 0 when they are the same, 1 when they differ.")
  static final class Diff implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Common common;

    @Parameters(
        index = "0",
        paramLabel = "TOOL",
        description = "The tool's catalog name, such as github.create_issue.")
    String tool;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      return common.with(
          (config, pins, upstreams) -> {
            Review r = review(config, pins, upstreams, tool);
            Optional<ToolPins.Quarantine> quarantined = quarantined(pins, tool);
            if (r.pin().isPresent()
                && r.pin().get().fingerprint().equals(r.liveHash())
                && quarantined.isEmpty()) {
              out.printf(
                  "%s: the live descriptor is the approved one (%s, version %d by %s)%n",
                  tool, r.liveHash(), r.pin().get().version(), r.pin().get().approvedBy());
              return 0;
            }
            if (quarantined.isPresent() && r.pin().get().fingerprint().equals(r.liveHash())) {
              ToolPins.Quarantine q = quarantined.get();
              out.printf(
                  "%s: the live descriptor here is the approved one (%s, version %d by %s), but"
                      + " gateway node %s quarantined that approval at %s: %s%n",
                  tool,
                  r.liveHash(),
                  r.pin().get().version(),
                  r.pin().get().approvedBy(),
                  q.node(),
                  q.at(),
                  q.reason());
              out.printf(
                  "%nTo approve this descriptor again, lifting the quarantine on every node:%n"
                      + "  portcullis tools approve %s --fingerprint %s%n",
                  tool, r.liveHash());
              return 1;
            }
            out.print(diff(r));
            out.printf(
                "%nTo approve this descriptor:%n  portcullis tools approve %s --fingerprint %s%n",
                tool, r.liveHash());
            return 1;
          });
    }
  }

  /** {@code tools approve}. */
  @Command(
      name = "approve",
      mixinStandardHelpOptions = true,
      description =
          "Approve TOOL's live descriptor, the one 'tools diff' showed: --fingerprint must match it.")
  static final class Approve implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Common common;

    @Parameters(
        index = "0",
        paramLabel = "TOOL",
        description = "The tool's catalog name, such as github.create_issue.")
    String tool;

    @Option(
        names = "--fingerprint",
        required = true,
        paramLabel = "SHA256",
        description =
            "The fingerprint 'tools diff' printed: approval fails if the upstream now describes the tool differently.")
    String fingerprint;

    @Option(names = "--by", paramLabel = "NAME", description = "Who approves (default: $USER).")
    String by;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      return common.with(
          (config, pins, upstreams) -> {
            Review r = review(config, pins, upstreams, tool);
            if (!r.liveHash().equals(fingerprint)) {
              throw new CliException(
                  "the upstream now describes "
                      + tool
                      + " as "
                      + r.liveHash()
                      + ", not "
                      + fingerprint
                      + ": review it again with 'portcullis tools diff "
                      + tool
                      + "'");
            }
            if (r.pin().isPresent()
                && r.pin().get().fingerprint().equals(fingerprint)
                && quarantined(pins, tool).isEmpty()) {
              out.printf(
                  "%s is already approved with this descriptor (version %d)%n",
                  tool, r.pin().get().version());
              return 0;
            }
            String who =
                by != null ? by : Optional.ofNullable(System.getenv("USER")).orElse("unknown");
            ToolPin pin =
                pins.approve(
                    tool, fingerprint, r.live().descriptor(), who, Clock.systemUTC().instant());
            out.printf(
                "approved %s version %d (%s) by %s; a running gateway allows it within 2 s%n",
                tool, pin.version(), fingerprint, who);
            return 0;
          });
    }
  }

  /**
   * The quarantine a gateway node recorded against {@code tool}'s newest approval (only on a store
   * several nodes share; see UpstreamTools).
   */
  static Optional<ToolPins.Quarantine> quarantined(ToolPins pins, String tool)
      throws ToolPins.PinStoreException {
    return pins.quarantines().stream().filter(q -> q.tool().equals(tool)).findFirst();
  }

  /** One tool's approval and its live descriptor. */
  record Review(UpstreamToolSpec spec, Optional<ToolPin> pin, UpstreamTool live, String liveHash) {}

  static Review review(GatewayConfig config, ToolPins pins, Upstreams upstreams, String tool)
      throws ToolPins.PinStoreException {
    for (McpConnectorSpec c : mcpConnectors(config)) {
      for (UpstreamToolSpec t : c.tools()) {
        if (!t.name().equals(tool)) {
          continue;
        }
        UpstreamTool live;
        try (McpUpstream upstream = upstreams.open(c)) {
          live =
              upstream.listTools().stream()
                  .filter(u -> u.name().equals(t.upstreamName()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new CliException(
                              "upstream "
                                  + c.name()
                                  + " does not offer "
                                  + t.upstreamName()
                                  + " now; nothing to approve"));
        } catch (UpstreamException e) {
          throw new CliException(
              e.getMessage() + "; check that the upstream runs and its credential resolves");
        }
        return new Review(
            t,
            Optional.ofNullable(byTool(pins.current()).get(tool)),
            live,
            DescriptorHash.ofUpstream(live.descriptor()));
      }
    }
    throw new CliException(
        "no upstream tool '"
            + tool
            + "' in "
            + config.source()
            + "; upstream tools are named CONNECTOR.TOOL and listed under their connector (see 'portcullis tools list')");
  }

  /** A unified diff of the approved descriptor (or nothing) against the live one. */
  static String diff(Review r) {
    List<String> before = r.pin().map(p -> lines(p.descriptor())).orElse(List.of());
    List<String> after = lines(r.live().descriptor());
    Patch<String> patch = DiffUtils.diff(before, after);
    String from =
        r.pin()
            .map(p -> "approved v" + p.version() + " " + p.fingerprint() + " by " + p.approvedBy())
            .orElse("(never approved)");
    List<String> unified =
        UnifiedDiffUtils.generateUnifiedDiff(
            r.spec().name() + " " + from,
            r.spec().name() + " live " + r.liveHash(),
            before,
            patch,
            3);
    return String.join("\n", unified) + "\n";
  }

  private static List<String> lines(JsonNode descriptor) {
    return List.of(PRETTY.writeValueAsString(DescriptorHash.canonical(descriptor)).split("\n", -1));
  }

  private static Optional<Map<String, UpstreamTool>> live(
      Upstreams upstreams, McpConnectorSpec c, PrintWriter err) {
    try (McpUpstream upstream = upstreams.open(c)) {
      Map<String, UpstreamTool> out = new HashMap<>();
      upstream.listTools().forEach(t -> out.put(t.name(), t));
      return Optional.of(out);
    } catch (UpstreamException e) {
      err.printf("upstream %s: %s%n", c.name(), e.getMessage());
      return Optional.empty();
    }
  }

  private static List<McpConnectorSpec> mcpConnectors(GatewayConfig config) {
    return config.connectors().stream()
        .filter(McpConnectorSpec.class::isInstance)
        .map(McpConnectorSpec.class::cast)
        .toList();
  }

  private static Map<String, ToolPin> byTool(List<ToolPin> pins) {
    Map<String, ToolPin> out = new HashMap<>();
    pins.forEach(p -> out.put(p.tool(), p));
    return out;
  }

  private static String shortHash(String fingerprint) {
    return fingerprint.length() > 19 ? fingerprint.substring(0, 19) : fingerprint;
  }

  private static void table(PrintWriter out, List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    rows.forEach(
        r -> {
          for (int i = 0; i < r.length; i++) {
            width[i] = Math.max(width[i], r[i].length());
          }
        });
    for (String[] r : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        b.append(
            i == r.length - 1
                ? r[i]
                : String.format(java.util.Locale.ROOT, "%-" + (width[i] + 2) + "s", r[i]));
      }
      out.println(b.toString().stripTrailing());
    }
  }
}
