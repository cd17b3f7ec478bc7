package dev.portcullis.cli;

import dev.portcullis.config.GatewayConfig;
import dev.portcullis.edge.GatewayServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis serve}: runs the gateway until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the gateway: MCP at /mcp, REST at /v1/tools/{tool}:invoke, health at /healthz.",
      "Stops cleanly on Ctrl+C (SIGINT) or SIGTERM."
    })
final class ServeCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "The gateway configuration (YAML).")
  Path config;

  @Option(
      names = {"-d", "--data"},
      paramLabel = "DIR",
      description = "The data directory (default: $PORTCULLIS_DATA, else ./data).")
  Path data;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "Listen on this port instead of the configured one (0 = any free port).")
  Integer port;

  @Override
  public void run() {
    Map<String, String> env = System.getenv();
    PrintWriter out = spec.commandLine().getOut();
    Assembly assembly = assemble(env);
    GatewayConfig cfg = assembly.config();
    GatewayServer server;
    try {
      server = assembly.serve(port);
    } catch (RuntimeException e) {
      assembly.close();
      throw new CliException(
          "cannot listen on "
              + cfg.server().host()
              + ":"
              + (port == null ? cfg.server().port() : port)
              + " ("
              + e.getMessage()
              + "); choose another with --port");
    }
    assembly.policyReloader().start(java.time.Duration.ofSeconds(2));
    java.time.Duration relist =
        cfg.connectors().stream()
            .filter(c -> c instanceof dev.portcullis.config.McpConnectorSpec)
            .map(c -> ((dev.portcullis.config.McpConnectorSpec) c).refresh())
            .min(java.util.Comparator.naturalOrder())
            .orElse(java.time.Duration.ofMinutes(5));
    assembly.upstreamTools().start(assembly.pinPoll(), relist);
    java.util.concurrent.ScheduledExecutorService sweeper = approvalSweeper(assembly);
    String base = "http://" + cfg.server().host() + ":" + server.port();
    out.printf(
        "Portcullis %s serving %s (config %s)%n",
        Version.current(), cfg.source(), cfg.hash().substring(0, 12));
    out.printf("  data   %s%n", assembly.dataDirectory());
    out.printf("  store  %s%n", assembly.storeLocation());
    if (assembly.node() != null) {
      out.printf("  node   %s%n", assembly.node());
    }
    out.printf("  MCP    %s/mcp%n", base);
    out.printf("  REST   %s/v1/tools/{tool}:invoke%n", base);
    out.printf(
        "  loaded %d tools, %d agents, %d connectors, %d policy rules%n",
        cfg.tools().size(),
        cfg.agents().size(),
        cfg.connectors().size(),
        cfg.policy().rules().size());
    out.println(
        "  policy files are watched: a change that loads takes effect within 2 s, one that does not is logged");
    assembly
        .policySharing()
        .ifPresent(
            sharing ->
                out.println(
                    "  shared store: this node runs the newest policy any node published (now "
                        + sharing.inForce().substring(0, Math.min(19, sharing.inForce().length()))
                        + "); changes reach every node within 2 s"));
    cfg.policy().warnings().forEach(w -> out.println("  warning: " + w));
    if (!cfg.upstreamTools().isEmpty()) {
      out.printf(
          "  %d upstream MCP tools: approvals take effect within 2 s; upstreams are re-listed every %s%n",
          cfg.upstreamTools().size(), relist);
    }
    out.println(
        "  approval requests unanswered past approvals.timeout ("
            + cfg.approvals().timeout()
            + ") expire; overdue ones are swept every 30 s, with decided requests whose call a stop left parked");
    out.println(
        "  an MCP call parked for approval waits up to approvals.mcpWait ("
            + cfg.approvals().mcpWait()
            + ") for the decision, then answers with a handle for portcullis_outcome");
    out.println("Ready. Press Ctrl+C to stop.");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("Stopping: finishing calls in flight (at most 5 s)...");
                  out.flush();
                  sweeper.shutdownNow();
                  server.close();
                  assembly.close();
                  out.println("Stopped.");
                  out.flush();
                  stopped.countDown();
                },
                "portcullis-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Loads the configuration and, at the same time on another thread, opens the store (lock,
   * migrations): the two halves of a start that do not depend on each other, each a few hundred
   * milliseconds, on two cores (BENCHMARKS.md, section 9). Both finish before anything is built on
   * them, and nothing is served before the assembly is whole. A configuration that does not load is
   * reported as before; the store opened beside it is closed again. A configuration that names a
   * PostgreSQL store ({@link StoreHint}) is loaded first, then that store opened.
   */
  private Assembly assemble(Map<String, String> env) {
    java.nio.file.Path dataDirectory = DataDirectory.resolve(data, env);
    if (StoreHint.namesPostgres(config)) {
      // The store's address is in the configuration: nothing to open before it has loaded.
      GatewayConfig cfg = ConfigFiles.load(config, env);
      return Assembly.open(cfg, dataDirectory, env, Clock.systemUTC());
    }
    java.util.concurrent.CompletableFuture<OpenedStore> store =
        new java.util.concurrent.CompletableFuture<>();
    Thread.ofPlatform()
        .name("portcullis-store-open")
        .daemon()
        .start(
            () -> {
              try {
                store.complete(OpenedStore.open(dataDirectory, env));
              } catch (Throwable e) {
                store.completeExceptionally(e);
              }
            });
    GatewayConfig cfg;
    try {
      cfg = ConfigFiles.load(config, env);
    } catch (RuntimeException e) {
      try {
        opened(store).close();
      } catch (RuntimeException alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
    return Assembly.open(cfg, opened(store), env, Clock.systemUTC());
  }

  /** The store opened on the other thread, or what opening it threw, as it threw it. */
  private static OpenedStore opened(java.util.concurrent.CompletableFuture<OpenedStore> store) {
    try {
      return store.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /**
   * Expires overdue approval requests every 30 s, so a parked call never outlives its deadline for
   * long.
   */
  private static java.util.concurrent.ScheduledExecutorService approvalSweeper(Assembly assembly) {
    java.util.concurrent.ScheduledExecutorService sweeper =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "portcullis-approval-sweep");
              t.setDaemon(true);
              return t;
            });
    var _ =
        sweeper.scheduleWithFixedDelay(
            () -> {
              try {
                assembly.approvalExpiry().sweep();
                // Decisions a stop or a store failure left unfinished; a minute's grace for one
                // still being carried out.
                assembly.approvalFinisher().finishDecided(java.time.Duration.ofMinutes(1));
              } catch (dev.portcullis.service.ApprovalRefusal | RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ServeCommand.class)
                    .warn("approval sweep failed: {}", e.getMessage());
              }
            },
            30,
            30,
            java.util.concurrent.TimeUnit.SECONDS);
    return sweeper;
  }
}
