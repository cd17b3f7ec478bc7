package dev.portcullis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rooms of ARCHITECTURE.md and who may use whom: any reference from one room to another that
 * the table does not allow (an import, or a fully qualified name) fails the build.
 */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/dev/portcullis");
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.portcullis\\.([a-z]+)\\.");

  /** Room to the rooms it may use. {@code cli} wires everything and is not listed. */
  private static final Map<String, Set<String>> MAY_USE =
      Map.ofEntries(
          Map.entry("invocation", Set.of()),
          Map.entry("catalog", Set.of("invocation")),
          Map.entry("policy", Set.of("invocation")),
          Map.entry("limits", Set.of("invocation")),
          Map.entry("approval", Set.of("invocation")),
          Map.entry("vault", Set.of("invocation")),
          Map.entry("audit", Set.of("invocation")),
          Map.entry("identity", Set.of("invocation")),
          Map.entry("connector", Set.of("invocation", "vault")),
          Map.entry(
              "pipeline",
              Set.of(
                  "invocation",
                  "catalog",
                  "policy",
                  "limits",
                  "approval",
                  "vault",
                  "audit",
                  "connector")),
          Map.entry(
              "service",
              Set.of(
                  "invocation",
                  "catalog",
                  "policy",
                  "limits",
                  "approval",
                  "vault",
                  "audit",
                  "connector",
                  "pipeline")),
          Map.entry(
              "store",
              Set.of(
                  "invocation",
                  "catalog",
                  "policy",
                  "limits",
                  "approval",
                  "vault",
                  "audit",
                  "identity")),
          Map.entry("edge", Set.of("invocation", "pipeline", "service", "identity")),
          Map.entry("telemetry", Set.of("invocation", "pipeline")),
          Map.entry(
              "config",
              Set.of(
                  "invocation",
                  "catalog",
                  "policy",
                  "limits",
                  "approval",
                  "vault",
                  "audit",
                  "identity",
                  "connector")),
          Map.entry("sample", Set.of()));

  /**
   * A statement that writes a call's row, its history, the audit chain or the values they share.
   */
  private static final Pattern LEDGER_WRITE =
      Pattern.compile(
          "(?i)\\b(INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|REPLACE\\s+INTO)\\s+(invocations|invocation_history|audit_log|audit_head|ledger_values)\\b");

  /**
   * The one writer of those tables: the ledger, and the chain's head it keeps for a group commit
   * (read once and written once per group, on the group's behalf).
   */
  private static final List<Path> LEDGER =
      List.of(MAIN.resolve("store/ChainHead.java"), MAIN.resolve("store/JdbcLedger.java"));

  @Test
  void onlyTheLedgerWritesInvocationRowsAndAuditRecords() throws IOException {
    List<String> writers = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (LEDGER_WRITE.matcher(Files.readString(file)).find()) {
          writers.add(MAIN.relativize(file).toString());
        }
      }
    }
    assertThat(writers)
        .containsExactlyInAnyOrderElementsOf(
            LEDGER.stream().map(p -> MAIN.relativize(p).toString()).toList());
  }

  @Test
  void theReadPortsHaveNoWrites() throws IOException {
    for (String port : List.of("audit/AuditLog.java", "invocation/InvocationStore.java")) {
      assertThat(Files.readString(MAIN.resolve(port)))
          .as(port + " only reads: the ledger is the one writer")
          .doesNotContainPattern("\\b(append|begin|advance|move|record|save)\\s*\\(");
    }
  }

  @Test
  void approvalListingsHoldNothingThatWrites() throws IOException {
    assertThat(Files.readString(MAIN.resolve("service/ApprovalQueries.java")))
        .as("reads never write: expiry belongs to the sweeper, ApprovalExpiry")
        .doesNotContainPattern(
            "\\b(Ledger|ApprovalSettlement|ApprovalVoting|ApprovalDenials|ApprovalEdits"
                + "|ApprovalResumption|ApprovalFinisher|StoredCallCheck)\\b")
        .doesNotContainPattern("\\.(sweep|pendingNow|endExpired|settle|decide|vote|edit|park)\\(");
  }

  @Test
  void noRoomReachesIntoARoomAboveIt() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String room = MAIN.relativize(file).getName(0).toString();
        if (room.equals("cli")) {
          continue;
        }
        assertThat(MAY_USE).as("room of %s is in the table", file).containsKey(room);
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("package ")) {
            continue;
          }
          Matcher m = REFERENCE.matcher(line);
          while (m.find()) {
            String used = m.group(1);
            if (!used.equals(room) && !MAY_USE.get(room).contains(used)) {
              violations.add(
                  MAIN.relativize(file) + " (" + room + ") uses " + used + ": " + line.strip());
            }
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }
}
