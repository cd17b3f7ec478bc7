package dev.portcullis.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ledger's shared strings ({@code ledger_values}, migration V15): the values that repeat from
 * record to record and row to row (tenant, agent, channel, tool name, reasons, configuration hash,
 * policy version, descriptor hash, credential use, log-only decisions, filter reports; the row's
 * tool, decision and credential use) are stored once and referred to by a small integer id. A value
 * longer than {@link #MAX_SHARED} characters is stored in its column as it is; a reader tells an id
 * (an integer) from a value (text) by its type.
 *
 * <p>Security: the table is append-only (triggers), and an audit record hashes the values its ids
 * name, so an edited or removed value breaks the chain at every record that uses it.
 *
 * <p>Concurrency: ids are looked up, and new values inserted, by the {@link JdbcLedger} (the one
 * writer) inside the group's transaction, on its connection. This map holds only ids whose
 * transaction has committed ({@link #remember}, called once the write returned): a value inserted
 * by a write that was rolled back never reaches it, so no id is ever cached for a row that does not
 * exist.
 */
final class LedgerValues {
  /** The longest value shared by id; a longer one is stored in its column. */
  static final int MAX_SHARED = 1024;

  /** The most ids kept in memory; past it, the map starts again (they are looked up again). */
  private static final int MAX_CACHED = 4096;

  private final Map<String, Long> committed = new ConcurrentHashMap<>();

  /** The id of {@code value} when a committed write looked it up; null when none did. */
  Long known(String value) {
    return committed.get(value);
  }

  /** Keeps the ids a committed write looked up. */
  void remember(Map<String, Long> fresh) {
    if (fresh.isEmpty()) {
      return;
    }
    if (committed.size() + fresh.size() > MAX_CACHED) {
      committed.clear();
    }
    committed.putAll(fresh);
  }

  /**
   * The value a column's {@code stored} content stands for, given {@code joined}, the value its id
   * names in {@code ledger_values} (null when none does). An id that names nothing reads as a
   * marker no record ever held, so a record whose value was removed fails verification.
   */
  static String value(Object stored, String joined) {
    return switch (stored) {
      case null -> null;
      case Number id -> joined != null ? joined : "<ledger value " + id + " is missing>";
      case byte[] bytes -> new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
      default -> stored.toString();
    };
  }
}
