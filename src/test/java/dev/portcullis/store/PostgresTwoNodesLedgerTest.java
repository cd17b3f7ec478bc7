package dev.portcullis.store;

import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.LedgerContract;
import dev.portcullis.invocation.Transition;
import dev.portcullis.testing.Postgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole ledger contract with two gateway nodes on one PostgreSQL database: transitions go to
 * the nodes in turn, and reads come from a third view. The contract's races (many moves of one
 * call, many calls with one key) are then races between nodes: still exactly one winner, and one
 * chain that verifies.
 */
class PostgresTwoNodesLedgerTest extends LedgerContract {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final List<PostgresDatabase> open = new ArrayList<>();

  @Override
  protected Books emptyBooks() {
    PostgresDatabase.Settings settings = Postgres.freshDatabase();
    PostgresDatabase a = PostgresDatabase.open(settings);
    PostgresDatabase b = PostgresDatabase.open(settings);
    PostgresDatabase reader = PostgresDatabase.open(settings);
    open.addAll(List.of(a, b, reader));
    Ledger nodeA = new JdbcLedger(a, JSON);
    Ledger nodeB = new JdbcLedger(b, JSON);
    AtomicInteger turn = new AtomicInteger();
    Ledger inTurn = (Transition t) -> (turn.getAndIncrement() % 2 == 0 ? nodeA : nodeB).write(t);
    return new Books(inTurn, new JdbcInvocationStore(reader, JSON), new JdbcAuditLog(reader, JSON));
  }

  @AfterEach
  void close() {
    open.forEach(PostgresDatabase::close);
  }
}
