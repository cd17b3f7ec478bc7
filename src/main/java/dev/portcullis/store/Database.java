package dev.portcullis.store;

import dev.portcullis.invocation.NodeSignals;
import javax.sql.DataSource;

/**
 * The database every store of one gateway writes to: the embedded SQLite file ({@link
 * EmbeddedDatabase}), or a PostgreSQL server that several nodes share ({@link PostgresDatabase}).
 * Opening one migrates it.
 *
 * <p>Lifecycle: whoever opens it closes it, after every store built on it has stopped.
 */
public interface Database extends AutoCloseable {
  /** Where reads go, and the stores that write outside the ledger's groups. */
  DataSource dataSource();

  /** The one queue every write on the hot path shares, so concurrent writes share commits. */
  GroupCommit writes();

  /** What differs between the databases the stores run on. */
  Dialect dialect();

  /** Where the data is, for messages: the file, or the server's URL (never a password). */
  String location();

  /**
   * This process's name among the gateway nodes sharing the store, written on every call it runs
   * (so that the others know whose calls they are); null on a store one gateway owns.
   */
  String node();

  /**
   * How the nodes sharing this store tell each other what changed ({@link NodeSignals#NONE} on a
   * store one gateway owns). The database owns it and stops it when closed.
   */
  NodeSignals signals();

  @Override
  void close();
}
