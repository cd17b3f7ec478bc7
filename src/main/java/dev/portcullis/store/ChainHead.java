package dev.portcullis.store;

import dev.portcullis.audit.AuditChain;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.invocation.AuditEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The audit chain's head (the last record's sequence number and hash) for the length of one group
 * commit's transaction: read from {@code audit_head} once per group (on PostgreSQL by the group's
 * first statement, which also locks it), advanced in memory by each record the group appends, and
 * written back once, just before the group commits. A group of many calls' transitions so reads and
 * writes the head row once, not once per record.
 *
 * <p>Concurrency: owned by one {@link GroupCommit} and used only under its lock, by the group
 * running; no other synchronisation.
 *
 * <p>Failure: the head follows the transaction. It is forgotten whenever a group's transaction
 * (re)starts ({@link #forget}), so a group that was undone reads it again; a write that is undone
 * alone (in its savepoint) takes back what it advanced ({@link #mark}, {@link #undo}). Nothing of
 * it outlives a transaction that did not commit.
 */
final class ChainHead {
  private static final String READ = "SELECT seq, hash FROM audit_head WHERE id = 1";
  private static final String WRITE =
      "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"
          + " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash";

  /** Where the head stood at one moment of the group, to go back to. */
  record Mark(boolean known, boolean moved, long seq, String hash) {}

  private boolean known;
  private boolean moved;
  private long seq;
  private String hash;

  /** A new transaction: the head is read again when first needed. */
  void forget() {
    known = false;
    moved = false;
  }

  /** The head as the group's transaction read it already (with the lock that holds it still). */
  void read(long seq, String hash) {
    this.seq = seq;
    this.hash = hash;
    known = true;
    moved = false;
  }

  /** Links {@code entry} after the head, reading the head first if this group has not yet. */
  AuditRecord next(GroupCommit writes, Connection c, AuditEntry entry) throws SQLException {
    if (!known) {
      try (ResultSet rs = writes.statement(c, READ).executeQuery()) {
        if (rs.next()) {
          read(rs.getLong(1), rs.getString(2));
        } else {
          read(0, AuditChain.GENESIS);
        }
      }
    }
    return AuditChain.link(seq + 1, entry, hash);
  }

  /** {@code record}, linked by {@link #next}, is written: it is the head now. */
  void advance(AuditRecord record) {
    seq = record.seq();
    hash = record.hash();
    moved = true;
  }

  Mark mark() {
    return new Mark(known, moved, seq, hash);
  }

  void undo(Mark m) {
    known = m.known();
    moved = m.moved();
    seq = m.seq();
    hash = m.hash();
  }

  /** Writes the head back if the group appended; called just before the group commits. */
  void flush(GroupCommit writes, Connection c) throws SQLException {
    if (!moved) {
      return;
    }
    PreparedStatement ps = writes.statement(c, WRITE);
    ps.setLong(1, seq);
    ps.setString(2, hash);
    ps.executeUpdate();
    moved = false;
  }
}
