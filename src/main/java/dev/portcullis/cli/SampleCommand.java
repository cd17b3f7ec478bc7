package dev.portcullis.cli;

import dev.portcullis.sample.acme.AcmeServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis sample acme}: runs the bundled sample system for the demo configuration. */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description = {
      "Run a bundled sample system to put behind the gateway.",
      "acme: a small CRM / orders / ticketing REST API on an embedded database."
    })
final class SampleCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The sample to run: acme.")
  String name;

  @Option(
      names = {"-p", "--port"},
      defaultValue = "8081",
      paramLabel = "PORT",
      description = "Port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = {"-d", "--data"},
      paramLabel = "DIR",
      description =
          "The data directory holding secrets/acme-api-token (default: $PORTCULLIS_DATA, else ./data).")
  Path data;

  @Override
  public void run() {
    if (!name.equals("acme")) {
      throw new CliException("no sample named '" + name + "'; the samples are: acme");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path dir = DataDirectory.resolve(data, System.getenv());
    String token = SampleSecrets.acmeToken(dir);
    AcmeServer acme;
    try {
      acme = AcmeServer.start("127.0.0.1", port, token);
    } catch (RuntimeException e) {
      throw new CliException(
          "cannot start Acme on port "
              + port
              + " ("
              + e.getMessage()
              + "); choose another with --port");
    }
    out.printf("Acme sample listening on %s/api%n", acme.baseUri());
    out.printf("  and its knowledge base, an MCP server, on %s/mcp%n", acme.baseUri());
    out.printf(
        "  its API token is in %s (the gateway reads it from there; agents never see it)%n",
        dir.resolve(SampleSecrets.ACME_TOKEN));
    out.println("Press Ctrl+C to stop.");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  acme.close();
                  stopped.countDown();
                },
                "acme-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
