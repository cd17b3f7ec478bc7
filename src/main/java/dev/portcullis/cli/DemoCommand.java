package dev.portcullis.cli;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.audit.VerifyReport;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.edge.GatewayServer;
import dev.portcullis.sample.acme.AcmeServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis demo}: starts the Acme sample and the gateway on free ports with a fresh data
 * directory, drives a scripted MCP agent through it, shows what reached Acme and the audit trail,
 * and verifies the audit chain. Exits 0 only when every step behaved as described.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the end-to-end demonstration on the embedded default.",
      "Starts the Acme sample and a gateway, drives a scripted MCP agent through it, and",
      "verifies the audit chain. Exits 0 when every step behaved as described."
    })
final class DemoCommand implements Callable<Integer> {
  static final String SUPPORT_KEY = "pcl_demo_support_assistant_key_not_for_production";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      defaultValue = "examples/demo/portcullis.yaml",
      paramLabel = "FILE",
      description = "The demo configuration (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(
      names = {"-d", "--data"},
      paramLabel = "DIR",
      description = "Data directory to use (default: a new temporary one).")
  Path data;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    String home = System.getenv("PORTCULLIS_HOME");
    if (!Files.exists(config) && !config.isAbsolute() && home != null) {
      config = Path.of(home).resolve(config);
    }
    Path dir = data != null ? data.toAbsolutePath() : Files.createTempDirectory("portcullis-demo-");
    String token = SampleSecrets.acmeToken(dir);
    try (AcmeServer acme = AcmeServer.start("127.0.0.1", 0, token)) {
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("ACME_URL", acme.baseUri() + "/api");
      env.put("ACME_MCP_URL", acme.baseUri() + "/mcp");
      GatewayConfig cfg = ConfigFiles.load(config, env);
      try (Assembly assembly = Assembly.open(cfg, dir, env, Clock.systemUTC());
          GatewayServer server = assembly.serve(0)) {
        assembly.upstreamTools().relist();
        String base = "http://127.0.0.1:" + server.port();
        out.println("Portcullis demo");
        out.printf("   data directory  %s (fresh; holds the audit log)%n", dir);
        out.printf(
            "   Acme sample     %s/api (its token stays in the data directory)%n", acme.baseUri());
        out.printf(
            "   gateway         %s/mcp with %s (config %s)%n",
            base, config, cfg.hash().substring(0, 12));
        out.println(
            "   agent           support-assistant, the MCP Java SDK client over streamable HTTP");
        DemoScript script = new DemoScript(out);
        script.run(base, SUPPORT_KEY);
        new DemoUpstream(script, assembly, cfg, acme.knowledgeBase()).run(base, SUPPORT_KEY);
        new DemoApprovals(script).run(base);
        reachedAcme(script, acme.requestLog());
        auditTrail(script, assembly.auditLog());
        out.println();
        if (!script.failures().isEmpty()) {
          out.println("The demo did NOT behave as described:");
          script.failures().forEach(f -> out.println("   " + f));
          return 1;
        }
        out.println("Every step behaved as described.");
        tryItYourself(out);
        return 0;
      }
    }
  }

  private static void reachedAcme(DemoScript script, List<String> requests) {
    script.heading(
        "What reached Acme: only the allowed calls, the refund once; nothing refused ever left the gateway.");
    requests.forEach(r -> script.say("   " + r));
    script.expect(
        requests.equals(
            List.of(
                "GET /api/customers/C-1001",
                "POST /api/tickets",
                "POST /api/orders/O-5001/refunds")),
        "Acme received exactly the allowed read, the allowed write and the approved refund");
  }

  private static void auditTrail(DemoScript script, AuditLog log) {
    script.heading("The audit trail, and its hash chain verified.");
    List<AuditRecord> records = new ArrayList<>();
    VerifyReport report;
    try {
      log.scan(records::add);
      report = AuditVerifier.verify(log);
    } catch (AuditLog.AuditUnavailableException e) {
      script.expect(false, "the audit log can be read: " + e.getMessage());
      return;
    }
    script.say(
        String.format("%-4s %-17s %-20s %-16s %s", "seq", "state", "tool", "decision", "reasons"));
    for (AuditRecord r : records) {
      var e = r.entry();
      script.say(
          String.format(
              "%-4d %-17s %-20s %-16s %s",
              r.seq(),
              e.state(),
              e.toolName(),
              e.decision() == null ? "-" : e.decision(),
              String.join(", ", e.reasons())));
    }
    script.say(
        "← portcullis audit verify: "
            + (report.intact()
                ? "intact, " + report.verified() + " records verified"
                : "BROKEN at record " + report.firstBadSeq() + ": " + report.problem()));
    script.expect(
        report.intact() && report.verified() == 15,
        "15 records (2 per executed call, 1 per refusal, 2 more for the approval: parked, approved), chain intact");
  }

  private static void tryItYourself(PrintWriter out) {
    out.println();
    out.println("Point your own MCP client at it:");
    out.println(
        "   ./portcullis sample acme                                      # terminal 1: Acme on :8081");
    out.println(
        "   ./portcullis serve --config examples/demo/portcullis.yaml     # terminal 2: the gateway");
    out.println("   MCP URL  http://127.0.0.1:8080/mcp   (streamable HTTP)");
    out.println("   header   Authorization: Bearer " + SUPPORT_KEY);
    out.println(
        "   e.g.     npx -y @modelcontextprotocol/inspector@1.0.3 --cli http://127.0.0.1:8080/mcp \\");
    out.println(
        "              --transport http --header \"Authorization: Bearer "
            + SUPPORT_KEY
            + "\" --method tools/list");
    out.println("   then     ./portcullis audit verify");
    out.println(
        "   and      ./portcullis tools diff kb.kb_search --config examples/demo/portcullis.yaml   # Acme's MCP knowledge base");
    out.println(
        "            ./portcullis tools approve kb.kb_search --fingerprint sha256:… --config examples/demo/portcullis.yaml");
    out.println(
        "   approve  refunds over 100 that billing-assistant (key "
            + DemoApprovals.BILLING_KEY
            + ") asks for:");
    out.println(
        "            http://127.0.0.1:8080/inbox with key " + DemoApprovals.OLIVIA_KEY + ", or");
    out.println(
        "            PORTCULLIS_APPROVER_KEY="
            + DemoApprovals.OLIVIA_KEY
            + " ./portcullis approvals list");
  }
}
