package dev.portcullis.sample.acme;

import dev.portcullis.sample.acme.AcmeModel.Customer;
import dev.portcullis.sample.acme.AcmeModel.NewTicket;
import dev.portcullis.sample.acme.AcmeModel.Order;
import dev.portcullis.sample.acme.AcmeModel.Refund;
import dev.portcullis.sample.acme.AcmeModel.Ticket;
import dev.portcullis.sample.acme.AcmeModel.TicketCreation;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Schema, seed data and queries of the Acme sample system, on an embedded SQLite database.
 *
 * <p>Storage: a private in-memory database ({@code jdbc:sqlite::memory:}) owned by one connection.
 * It needs no temp file to clean up, disappears when the connection closes, and every {@link
 * AcmeServer} gets its own isolated copy. A named shared-cache memory database would instead be
 * visible to every server in the JVM under that name, and SQLite discourages shared-cache mode.
 *
 * <p>Concurrency: Javalin serves requests on many threads, but an in-memory SQLite database lives
 * in exactly one connection, and a JDBC connection is not safe for concurrent use. Every access
 * therefore holds {@link #lock}. Each query takes microseconds, so serialising them costs nothing
 * noticeable for a demo system; slow work (such as {@code /api/slow}) never runs under the lock.
 * Holding the lock also makes "look up idempotency key, then insert" atomic.
 *
 * <p>Money is stored as integer cents so SQLite never rounds it through a double.
 */
final class AcmeDatabase implements AutoCloseable {

  private final ReentrantLock lock = new ReentrantLock();
  private final Connection connection;

  private AcmeDatabase(Connection connection) {
    this.connection = connection;
  }

  /** Opens a fresh in-memory database with the schema and deterministic seed data. */
  static AcmeDatabase openSeeded() {
    try {
      Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:");
      try {
        AcmeSeed.createSchemaAndSeed(connection);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
      return new AcmeDatabase(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open Acme database", e);
    }
  }

  Optional<Customer> customer(String id) {
    return query(
            "SELECT id, name, email, phone, tier, region FROM customers WHERE id = ?",
            ps -> ps.setString(1, id),
            AcmeDatabase::toCustomer)
        .stream()
        .findFirst();
  }

  List<Customer> customers(int limit) {
    return query(
        "SELECT id, name, email, phone, tier, region FROM customers ORDER BY id LIMIT ?",
        ps -> ps.setInt(1, limit),
        AcmeDatabase::toCustomer);
  }

  /** Exact email match; the column is declared COLLATE NOCASE, so the match ignores case. */
  List<Customer> customersByEmail(String email, int limit) {
    return query(
        "SELECT id, name, email, phone, tier, region FROM customers"
            + " WHERE email = ? ORDER BY id LIMIT ?",
        ps -> {
          ps.setString(1, email);
          ps.setInt(2, limit);
        },
        AcmeDatabase::toCustomer);
  }

  List<Order> ordersOfCustomer(String customerId) {
    return query(
        "SELECT id, customer_id, total_cents, currency, status, created_at FROM orders"
            + " WHERE customer_id = ? ORDER BY created_at, id",
        ps -> ps.setString(1, customerId),
        AcmeDatabase::toOrder);
  }

  Optional<Order> order(String id) {
    return query(
            "SELECT id, customer_id, total_cents, currency, status, created_at FROM orders WHERE id = ?",
            ps -> ps.setString(1, id),
            AcmeDatabase::toOrder)
        .stream()
        .findFirst();
  }

  Optional<Ticket> ticket(String id) {
    return locked(() -> findTicket(id));
  }

  int ticketCount() {
    return query("SELECT COUNT(*) FROM tickets", ps -> {}, rs -> rs.getInt(1)).getFirst();
  }

  /**
   * Creates a ticket, or returns the ticket first created under {@code idempotencyKey} (which may
   * be null). The lookup and the insert run under one lock and one transaction, so two concurrent
   * retries with the same key still create a single ticket.
   */
  TicketCreation createTicket(NewTicket request, String idempotencyKey, Instant now) {
    return inTransaction(
        () -> {
          if (idempotencyKey != null) {
            Optional<String> earlier =
                single(
                    "SELECT ticket_id FROM ticket_idempotency_keys WHERE idempotency_key = ?",
                    ps -> ps.setString(1, idempotencyKey),
                    rs -> rs.getString(1));
            if (earlier.isPresent()) {
              return new TicketCreation(findTicket(earlier.get()).orElseThrow(), true);
            }
          }
          String id = "T-" + (9000 + nextSeq("tickets"));
          update(
              "INSERT INTO tickets (id, customer_id, subject, body, priority, status, created_at)"
                  + " VALUES (?, ?, ?, ?, ?, 'open', ?)",
              ps -> {
                ps.setString(1, id);
                ps.setString(2, request.customerId());
                ps.setString(3, request.subject());
                ps.setString(4, request.body());
                ps.setString(5, request.priority());
                ps.setString(6, now.toString());
              });
          if (idempotencyKey != null) {
            update(
                "INSERT INTO ticket_idempotency_keys (idempotency_key, ticket_id) VALUES (?, ?)",
                ps -> {
                  ps.setString(1, idempotencyKey);
                  ps.setString(2, id);
                });
          }
          return new TicketCreation(findTicket(id).orElseThrow(), false);
        });
  }

  /** Records an issued refund; the caller has already checked the amount against the order. */
  Refund issueRefund(Order order, BigDecimal amount, String reason, Instant now) {
    return inTransaction(
        () -> {
          String id = "R-" + (7000 + nextSeq("refunds"));
          update(
              "INSERT INTO refunds (id, order_id, amount_cents, currency, reason, status,"
                  + " created_at) VALUES (?, ?, ?, ?, ?, 'issued', ?)",
              ps -> {
                ps.setString(1, id);
                ps.setString(2, order.id());
                ps.setLong(3, amount.movePointRight(2).longValueExact());
                ps.setString(4, order.currency());
                ps.setString(5, reason);
                ps.setString(6, now.toString());
              });
          return single(
                  "SELECT id, order_id, amount_cents, currency, reason, status, created_at"
                      + " FROM refunds WHERE id = ?",
                  ps -> ps.setString(1, id),
                  AcmeDatabase::toRefund)
              .orElseThrow();
        });
  }

  /**
   * Cancels an issued refund of {@code orderId}. Answers the refund as it was before (so status
   * {@code issued} means this call cancelled it), or empty when the order has no such refund.
   */
  Optional<Refund> cancelRefund(String orderId, String refundId) {
    return inTransaction(
        () -> {
          Optional<Refund> before =
              single(
                  "SELECT id, order_id, amount_cents, currency, reason, status, created_at"
                      + " FROM refunds WHERE id = ? AND order_id = ?",
                  ps -> {
                    ps.setString(1, refundId);
                    ps.setString(2, orderId);
                  },
                  AcmeDatabase::toRefund);
          if (before.isPresent() && before.get().status().equals("issued")) {
            update(
                "UPDATE refunds SET status = 'cancelled' WHERE id = ?",
                ps -> ps.setString(1, refundId));
          }
          return before;
        });
  }

  @Override
  public void close() {
    lock.lock();
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot close Acme database", e);
    } finally {
      lock.unlock();
    }
  }

  // --- plumbing: every statement below runs with the lock held ---

  private Optional<Ticket> findTicket(String id) throws SQLException {
    return single(
        "SELECT id, customer_id, subject, body, priority, status, created_at FROM tickets"
            + " WHERE id = ?",
        ps -> ps.setString(1, id),
        AcmeDatabase::toTicket);
  }

  /** Next surrogate number for a table; safe because callers hold the lock. */
  private long nextSeq(String table) throws SQLException {
    // The table name is one of our own constants, never request input.
    return single("SELECT COALESCE(MAX(seq), 0) + 1 FROM " + table, ps -> {}, rs -> rs.getLong(1))
        .orElseThrow();
  }

  private <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
    return locked(() -> queryUnlocked(sql, binder, mapper));
  }

  private <T> List<T> queryUnlocked(String sql, Binder binder, RowMapper<T> mapper)
      throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(mapper.map(rs));
        }
        return List.copyOf(rows);
      }
    }
  }

  private <T> Optional<T> single(String sql, Binder binder, RowMapper<T> mapper)
      throws SQLException {
    return queryUnlocked(sql, binder, mapper).stream().findFirst();
  }

  private void update(String sql, Binder binder) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      binder.bind(ps);
      ps.executeUpdate();
    }
  }

  private <T> T locked(SqlWork<T> work) {
    lock.lock();
    try {
      return work.run();
    } catch (SQLException e) {
      throw new IllegalStateException("Acme database error", e);
    } finally {
      lock.unlock();
    }
  }

  private <T> T inTransaction(SqlWork<T> work) {
    return locked(
        () -> {
          connection.setAutoCommit(false);
          try {
            T result = work.run();
            connection.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          } finally {
            connection.setAutoCommit(true);
          }
        });
  }

  private static Customer toCustomer(ResultSet rs) throws SQLException {
    return new Customer(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("email"),
        rs.getString("phone"),
        rs.getString("tier"),
        rs.getString("region"));
  }

  private static Order toOrder(ResultSet rs) throws SQLException {
    return new Order(
        rs.getString("id"),
        rs.getString("customer_id"),
        BigDecimal.valueOf(rs.getLong("total_cents"), 2),
        rs.getString("currency"),
        rs.getString("status"),
        rs.getString("created_at"));
  }

  private static Ticket toTicket(ResultSet rs) throws SQLException {
    return new Ticket(
        rs.getString("id"),
        rs.getString("customer_id"),
        rs.getString("subject"),
        rs.getString("body"),
        rs.getString("priority"),
        rs.getString("status"),
        rs.getString("created_at"));
  }

  private static Refund toRefund(ResultSet rs) throws SQLException {
    return new Refund(
        rs.getString("id"),
        rs.getString("order_id"),
        BigDecimal.valueOf(rs.getLong("amount_cents"), 2),
        rs.getString("currency"),
        rs.getString("reason"),
        rs.getString("status"),
        rs.getString("created_at"));
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  @FunctionalInterface
  private interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run() throws SQLException;
  }
}
