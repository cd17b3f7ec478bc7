package dev.portcullis.cli;

import dev.portcullis.store.Database;
import dev.portcullis.store.NodeLeases;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis nodes}: the gateway nodes a shared store has seen in the last hour, as {@code
 * kubectl get nodes} lists a cluster's: each node's name (as {@code serve} printed it), when it
 * started, whether its lease holds, and the policy version it runs.
 */
@Command(
    name = "nodes",
    mixinStandardHelpOptions = true,
    description = {
      "List the gateway nodes a shared PostgreSQL store has seen in the last hour: each node's",
      "name (as serve printed it), when it started, whether its lease holds (a node whose lease",
      "lapsed has stopped or died; another node settles its calls), and its policy version.",
      "Exits 0; 2 when the store cannot be read."
    })
final class NodesCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-d", "--data"},
      paramLabel = "DIR",
      description = "The data directory (default: $PORTCULLIS_DATA, else ./data).")
  Path data;

  @Mixin StoreOptions store = new StoreOptions();

  private final Clock clock;

  NodesCommand() {
    this(Clock.systemUTC());
  }

  NodesCommand(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = DataDirectory.resolve(data, System.getenv());
    try (Database db = store.open(dir, System.getenv(), "store")) {
      if (db.node() == null) {
        out.println(
            "the embedded store in "
                + db.location()
                + " belongs to the one gateway that holds its data directory; several nodes share"
                + " a PostgreSQL store (--store, see docs/several-nodes.md)");
        return 0;
      }
      List<NodeLeases.Seen> seen = NodeLeases.seen(db);
      if (seen.isEmpty()) {
        out.println("no gateway node has used " + db.location() + " in the last hour");
        return 0;
      }
      Instant now = clock.instant();
      out.printf("%-36s  %-20s  %-22s  %s%n", "NODE", "STARTED", "LEASE", "POLICY");
      for (NodeLeases.Seen n : seen) {
        out.printf(
            "%-36s  %-20s  %-22s  %s%n",
            n.node(),
            n.startedAt().truncatedTo(ChronoUnit.SECONDS),
            lease(n, now),
            n.policyVersion() == null ? "-" : shortVersion(n.policyVersion()));
      }
      return 0;
    } catch (SQLException e) {
      err.println("error: cannot read the nodes: " + e.getMessage());
      return 2;
    }
  }

  private static String lease(NodeLeases.Seen n, Instant now) {
    if (n.live(now)) {
      return "live, " + seconds(Duration.between(now, n.leaseUntil())) + " s left";
    }
    return "lapsed " + ago(Duration.between(n.leaseUntil(), now));
  }

  private static String ago(Duration d) {
    return d.toMinutes() >= 1 ? d.toMinutes() + " min ago" : seconds(d) + " s ago";
  }

  private static long seconds(Duration d) {
    return Math.max(0, d.toSeconds());
  }

  /** {@code sha256:} and the first 12 hex digits, as serve prints a version. */
  private static String shortVersion(String version) {
    return version.startsWith("sha256:") && version.length() > 19
        ? version.substring(0, 19)
        : version;
  }
}
