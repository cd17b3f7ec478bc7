package dev.portcullis.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;

/**
 * What differs between the two databases the stores run on: SQLite, the embedded default, and
 * PostgreSQL, which several gateway nodes share. The stores' SQL is otherwise the same.
 *
 * <p>Storage: both hold the same values, and every audit record hashes the same way on both. SQLite
 * stores some columns compactly by type (hex as bytes, ids as 16 bytes, a shared value by its id
 * or, when too long to share, as text: see migration V15 and {@link Packed}). PostgreSQL's columns
 * each have one type, so there hex and ids are text as written, and every shared value is stored by
 * id: its {@code ledger_values} are unique by a SHA-256 digest of the value, which an index can
 * hold whatever the value's length.
 *
 * <p>Concurrency: on PostgreSQL several nodes append to one chain, so each group's transaction
 * first locks the chain's head row until it ends ({@link #groupBegins}): the groups of different
 * nodes take turns, and the chain has one total order. SQLite has one writer and needs no lock.
 */
public enum Dialect {
  SQLITE("classpath:db/migration/sqlite", LedgerValues.MAX_SHARED) {
    @Override
    Object id(String id) {
      return Packed.id(id);
    }

    @Override
    Object hex(String text) {
      return Packed.hex(text);
    }

    @Override
    String idSql(String column) {
      return Packed.idSql(column);
    }

    @Override
    String groupBegins() {
      return null;
    }

    @Override
    Object valueKey(String value) {
      return value;
    }
  },

  POSTGRES("classpath:db/migration/postgres", Integer.MAX_VALUE) {
    @Override
    Object id(String id) {
      return id;
    }

    @Override
    Object hex(String text) {
      return text;
    }

    @Override
    String idSql(String column) {
      return column;
    }

    @Override
    String groupBegins() {
      return "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";
    }

    @Override
    Object valueKey(String value) {
      return sha256(value);
    }
  };

  /** SQLite's result code for a violated constraint. */
  static final int SQLITE_CONSTRAINT = 19;

  /** PostgreSQL's SQLSTATE for a violated unique constraint. */
  static final String UNIQUE_VIOLATION = "23505";

  private final String migrations;
  private final int maxShared;

  Dialect(String migrations, int maxShared) {
    this.migrations = migrations;
    this.maxShared = maxShared;
  }

  /**
   * Whether {@code e} is a violated unique or primary-key constraint, on either database (SQLite's
   * driver gives its result code, PostgreSQL's the SQLSTATE; neither sets the other).
   */
  public static boolean uniqueViolation(SQLException e) {
    return e.getErrorCode() == SQLITE_CONSTRAINT || UNIQUE_VIOLATION.equals(e.getSQLState());
  }

  /** What a record's invocation id column stores for {@code id}. */
  abstract Object id(String id);

  /** What a hex column (hashes, digests, trace and session ids) stores for {@code text}. */
  abstract Object hex(String text);

  /** SQL for what {@link #id} stores for the text id in {@code column}. */
  abstract String idSql(String column);

  /**
   * The query each group's transaction begins with, or null. On PostgreSQL it locks the chain's
   * head first, before any row or shared value, and answers it ({@code seq, hash}): the groups of
   * several nodes then take turns whole, two of them can never each hold what the other waits for
   * (a new shared value inserted by one, the head by the other), and the group needs no other read
   * of the head ({@link ChainHead}).
   */
  abstract String groupBegins();

  /**
   * What identifies a shared value in {@code ledger_values}: the value itself (SQLite), or its
   * SHA-256 digest (PostgreSQL, as {@code byte[]}).
   */
  abstract Object valueKey(String value);

  /** Where Flyway finds this dialect's migrations. */
  String migrations() {
    return migrations;
  }

  /** The longest value a column stores by id; a longer one is stored as it is. */
  int maxShared() {
    return maxShared;
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
