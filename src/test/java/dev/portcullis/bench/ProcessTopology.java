package dev.portcullis.bench;

import dev.portcullis.testing.GatewayFixture;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway and Acme each in a process of its own ({@code BENCH_MODE=processes}, the default),
 * started as an operator would: {@code portcullis sample acme} and {@code portcullis serve} with
 * the demo configuration (the CLI's main class on the classpath {@code -Dbench.classpath} names,
 * else this JVM's), each on a free port, each with a fresh data directory under the work directory
 * and its output in a log file there. So the load generator, the gateway and the upstream no longer
 * share one heap, one garbage collector and one JIT, though still the same cores.
 *
 * <p>On a PostgreSQL store the gateway may be several {@code serve} processes (nodes) on the one
 * database, each with its own data directory and log ({@code gateway.log}, {@code gateway-2.log},
 * …); the load generator's clients are dealt out to them in turn, as a load balancer would, and the
 * gateway's CPU is theirs together. The database server's CPU and commits are read with a {@link
 * PostgresProbe}.
 *
 * <p>Failure: a process that does not say it is ready within a minute, or ends, stops the run with
 * its log's last lines. Both processes are stopped (SIGTERM, then SIGKILL after 15 s) on {@link
 * #close} and when this JVM ends.
 */
final class ProcessTopology implements Topology {
  private static final Duration READY_WITHIN = Duration.ofMinutes(1);
  static final Pattern ACME_READY = Pattern.compile("Acme sample listening on (http://\\S+)/api");
  private static final Pattern GATEWAY_MCP = Pattern.compile("MCP +(http://\\S+)/mcp");
  private static final String MAIN = "dev.portcullis.cli.Main";

  private final Process acme;
  private final List<Process> gateways;
  private final URI acmeUri;
  private final List<URI> gatewayUris;
  private final Path gatewayData;
  private final String heaps;
  private final PostgresProbe database;
  private final Thread reaper;

  private ProcessTopology(
      Process acme,
      URI acmeUri,
      List<Process> gateways,
      List<URI> gatewayUris,
      Path gatewayData,
      String heaps,
      PostgresProbe database) {
    this.acme = acme;
    this.gateways = List.copyOf(gateways);
    this.acmeUri = acmeUri;
    this.gatewayUris = List.copyOf(gatewayUris);
    this.gatewayData = gatewayData;
    this.heaps = heaps;
    this.database = database;
    this.reaper = new Thread(this::stopAll, "bench-stop-children");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts Acme, then the gateway in front of it ({@code nodes} {@code serve} processes; more than
   * one only on a PostgreSQL store); {@code gatewayHeap} and {@code upstreamHeap} are -Xms/-Xmx
   * values such as "1g", {@code gatewayOptions} extra JVM options for each gateway process; {@code
   * store} is "sqlite" or the PostgreSQL store's JDBC URL (connected to as postgres).
   */
  static ProcessTopology start(
      Path work,
      Path config,
      int nodes,
      String store,
      String gatewayHeap,
      String upstreamHeap,
      List<String> gatewayOptions,
      Progress progress)
      throws IOException, InterruptedException, java.sql.SQLException {
    Path gatewayData = work.resolve("gateway");
    Process acme = launchAcme(work, upstreamHeap);
    URI acmeUri;
    try {
      acmeUri = URI.create(awaitLine(acme, work.resolve("acme.log"), ACME_READY));
    } catch (IOException | RuntimeException e) {
      stop(acme);
      throw e;
    }
    progress.say("Acme (pid %d) at %s", acme.pid(), acmeUri);
    List<Process> gateways = new ArrayList<>();
    List<URI> uris = new ArrayList<>();
    PostgresProbe database = null;
    try {
      for (int n = 1; n <= nodes; n++) {
        String suffix = n == 1 ? "" : "-" + n;
        Path data = work.resolve("gateway" + suffix);
        Path log = work.resolve("gateway" + suffix + ".log");
        GatewayFixture.writeAcmeToken(data);
        Process gateway =
            launch(
                log,
                gatewayHeap,
                gatewayOptions,
                Map.of("ACME_URL", acmeUri + "/api", "ACME_MCP_URL", acmeUri + "/mcp"),
                "serve",
                "--config",
                config.toString(),
                "--data",
                data.toString(),
                "--port",
                "0");
        gateways.add(gateway);
        uris.add(URI.create(awaitLine(gateway, log, GATEWAY_MCP)));
        awaitLine(gateway, log, Pattern.compile("^(Ready)\\."));
        progress.say("gateway node %d (pid %d) at %s", n, gateway.pid(), uris.getLast());
      }
      if (!store.equals("sqlite")) {
        database = PostgresProbe.open(store, "postgres");
      }
    } catch (IOException | RuntimeException | java.sql.SQLException e) {
      gateways.forEach(ProcessTopology::stop);
      stop(acme);
      throw e;
    }
    return new ProcessTopology(
        acme,
        acmeUri,
        gateways,
        uris,
        gatewayData,
        "heap: gateway "
            + gatewayHeap
            + (nodes > 1 ? " per node" : "")
            + ", Acme "
            + upstreamHeap
            + (gatewayOptions.isEmpty()
                ? ""
                : "; gateway JVM options " + String.join(" ", gatewayOptions)),
        database);
  }

  /**
   * Starts {@code portcullis sample acme} on a free port, its data in {@code work/acme} (with the
   * API token written there first), its output in {@code work/acme.log}; {@link #ACME_READY} in
   * that log says where it listens.
   */
  static Process launchAcme(Path work, String heap) throws IOException {
    Path data = work.resolve("acme");
    GatewayFixture.writeAcmeToken(data);
    return launch(
        work.resolve("acme.log"),
        heap,
        List.of(),
        Map.of(),
        "sample",
        "acme",
        "--port",
        "0",
        "--data",
        data.toString());
  }

  static Process launch(
      Path log, String heap, List<String> options, Map<String, String> env, String... args)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("bench.classpath", System.getProperty("java.class.path"));
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-Xms" + heap,
                "-Xmx" + heap));
    command.addAll(options);
    command.addAll(List.of("-cp", classpath, MAIN));
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // The operator's own settings must not leak in: a master key or data directory from the shell.
    pb.environment().keySet().removeIf(k -> k.startsWith("PORTCULLIS_"));
    pb.environment().putAll(env);
    pb.directory(new File(System.getProperty("user.dir")));
    return pb.start();
  }

  /**
   * Waits until the process's log has a line matching {@code ready}, and answers its first group.
   */
  static String awaitLine(Process p, Path log, Pattern ready)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
          Matcher m = ready.matcher(line.strip());
          if (m.find()) {
            return m.group(1);
          }
        }
      }
      if (!p.isAlive()) {
        throw new IOException(
            "process "
                + p.pid()
                + " ended (exit "
                + p.exitValue()
                + ") before it was ready: "
                + tail(log));
      }
      Thread.sleep(50);
    }
    throw new IOException(
        "process "
            + p.pid()
            + " not ready within "
            + READY_WITHIN.toSeconds()
            + " s: "
            + tail(log));
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no output)";
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  @Override
  public Workload.Endpoints endpoints() {
    return new Workload.Endpoints(
        acmeUri, gatewayUris, GatewayFixture.ACME_TOKEN, GatewayFixture.SUPPORT_KEY);
  }

  @Override
  public Path gatewayData() {
    return gatewayData;
  }

  @Override
  public String describe() {
    String pids = String.join(", ", gateways.stream().map(g -> String.valueOf(g.pid())).toList());
    return "processes: load generator (pid "
        + ProcessHandle.current().pid()
        + "), gateway ("
        + (gateways.size() == 1
            ? "`portcullis serve`, pid " + pids
            : gateways.size() + " nodes, `portcullis serve` each, pids " + pids)
        + ") and Acme (`portcullis sample acme`, pid "
        + acme.pid()
        + ") in "
        + (gateways.size() + 2)
        + " JVMs ("
        + heaps
        + ")"
        + (database == null ? "" : "; PostgreSQL's CPU and commits read from its processes");
  }

  @Override
  public Cpu cpu() {
    long gateway = 0;
    for (Process g : gateways) {
      long n = cpuOf(g);
      gateway = n < 0 || gateway < 0 ? -1 : gateway + n;
    }
    return database == null
        ? new Cpu(gateway, cpuOf(acme), Cpu.self())
        : new Cpu(
            gateway,
            cpuOf(acme),
            Cpu.self(),
            PostgresProbe.serverCpuNanos(),
            database.nextTransactionId());
  }

  /**
   * The process's user + system CPU time so far (on Linux from /proc/PID/stat, 10 ms resolution).
   */
  private static long cpuOf(Process p) {
    return p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  private void stopAll() {
    gateways.forEach(ProcessTopology::stop);
    stop(acme);
    if (database != null) {
      database.close();
    }
  }

  static void stop(Process p) {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
