package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStoreContract;
import dev.portcullis.testing.Invocations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The invocation store contract on the embedded SQLite store. */
class SqliteInvocationStoreTest extends InvocationStoreContract {
  @TempDir Path dir;
  private final List<EmbeddedDatabase> open = new ArrayList<>();

  @Override
  protected InvocationStore emptyStore() {
    EmbeddedDatabase db = EmbeddedDatabase.open(dir.resolve("db" + open.size()));
    open.add(db);
    return new JdbcInvocationStore(db.dataSource(), JsonMapper.builder().build());
  }

  @Test
  void failsWithATypedErrorWhenTheStoreCannotBeWritten() {
    EmbeddedDatabase db = EmbeddedDatabase.open(dir.resolve("closed"));
    InvocationStore store = new JdbcInvocationStore(db.dataSource(), JsonMapper.builder().build());
    db.close();

    assertThatThrownBy(() -> store.begin(Invocations.call(new AgentRef("a", "acme", null), "t",
            Invocations.JSON.readTree("{}"), java.util.Map.of()), "d"))
        .isInstanceOf(InvocationStore.StoreException.class)
        .hasMessageStartingWith("cannot record invocation inv-1 in the invocation store: ");
  }

  @AfterEach
  void close() {
    open.forEach(EmbeddedDatabase::close);
  }
}
