package dev.portcullis.sample.acme;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Schema and deterministic seed data of the Acme sample system. Fixed ids and timestamps let the
 * demo script and tests refer to e.g. {@code C-1001} and {@code O-5001} without looking them up.
 */
final class AcmeSeed {

  private AcmeSeed() {}

  // CHECK constraints mirror the API's validation so that a bug in a handler cannot store data the
  // API would never return. The surrogate "seq" columns give tickets/refunds their numeric ids.
  private static final String[] SCHEMA = {
    "PRAGMA foreign_keys = ON",
    """
    CREATE TABLE customers (
      id     TEXT PRIMARY KEY,
      name   TEXT NOT NULL,
      email  TEXT NOT NULL UNIQUE COLLATE NOCASE,
      phone  TEXT NOT NULL,
      tier   TEXT NOT NULL CHECK (tier IN ('gold', 'silver', 'bronze')),
      region TEXT NOT NULL CHECK (region IN ('eu', 'us'))
    )""",
    """
    CREATE TABLE orders (
      id          TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL REFERENCES customers (id),
      total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
      currency    TEXT NOT NULL CHECK (currency IN ('EUR', 'USD')),
      status      TEXT NOT NULL,
      created_at  TEXT NOT NULL
    )""",
    "CREATE INDEX orders_by_customer ON orders (customer_id, created_at)",
    """
    CREATE TABLE tickets (
      seq         INTEGER PRIMARY KEY,
      id          TEXT NOT NULL UNIQUE,
      customer_id TEXT NOT NULL REFERENCES customers (id),
      subject     TEXT NOT NULL,
      body        TEXT NOT NULL,
      priority    TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
      status      TEXT NOT NULL CHECK (status IN ('open', 'pending', 'closed')),
      created_at  TEXT NOT NULL
    )""",
    """
    CREATE TABLE ticket_idempotency_keys (
      idempotency_key TEXT PRIMARY KEY,
      ticket_id       TEXT NOT NULL REFERENCES tickets (id)
    )""",
    """
    CREATE TABLE refunds (
      seq          INTEGER PRIMARY KEY,
      id           TEXT NOT NULL UNIQUE,
      order_id     TEXT NOT NULL REFERENCES orders (id),
      amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
      currency     TEXT NOT NULL,
      reason       TEXT NOT NULL,
      status       TEXT NOT NULL,
      created_at   TEXT NOT NULL
    )"""
  };

  // id, name, email, phone, tier, region. C-1005 deliberately has no orders.
  private static final String[][] CUSTOMERS = {
    {"C-1001", "Maria Keller", "maria.keller@example.com", "+49 30 5550 1001", "gold", "eu"},
    {"C-1002", "James Porter", "james.porter@example.com", "+1 415 555 0102", "silver", "us"},
    {"C-1003", "Sofia Rossi", "sofia.rossi@example.com", "+39 02 5550 1003", "bronze", "eu"},
    {"C-1004", "Daniel Kim", "daniel.kim@example.com", "+1 212 555 0104", "gold", "us"},
    {"C-1005", "Elif Yilmaz", "elif.yilmaz@example.com", "+33 1 5550 1005", "silver", "eu"},
  };

  private record SeedOrder(
      String id, String customerId, long totalCents, String currency, String status, String at) {}

  private static final SeedOrder[] ORDERS = {
    new SeedOrder("O-5001", "C-1001", 12990, "EUR", "delivered", "2025-01-14T09:12:00Z"),
    new SeedOrder("O-5002", "C-1001", 4500, "EUR", "shipped", "2025-02-03T15:40:00Z"),
    new SeedOrder("O-5003", "C-1002", 89999, "USD", "delivered", "2025-01-21T18:05:00Z"),
    new SeedOrder("O-5004", "C-1002", 1250, "USD", "cancelled", "2025-02-11T11:30:00Z"),
    new SeedOrder("O-5005", "C-1003", 24900, "EUR", "processing", "2025-02-18T08:00:00Z"),
    new SeedOrder("O-5006", "C-1004", 152000, "USD", "delivered", "2025-01-30T20:45:00Z"),
    new SeedOrder("O-5007", "C-1004", 7525, "USD", "shipped", "2025-02-20T13:15:00Z"),
    new SeedOrder("O-5008", "C-1003", 31040, "EUR", "placed", "2025-02-24T10:00:00Z"),
  };

  // seq, customerId, subject, body, priority, status, createdAt; seq n becomes id T-(9000+n).
  private static final String[][] TICKETS = {
    {
      "1", "C-1001", "Parcel arrived damaged",
      "The box for order O-5001 was crushed and one item is broken.", "high", "open",
      "2025-01-16T10:00:00Z"
    },
    {
      "2", "C-1003", "Change delivery address",
      "Please ship order O-5005 to my office address instead.", "normal", "pending",
      "2025-02-19T09:30:00Z"
    },
  };

  static void createSchemaAndSeed(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String ddl : SCHEMA) {
        statement.execute(ddl);
      }
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO customers (id, name, email, phone, tier, region)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      for (String[] c : CUSTOMERS) {
        for (int i = 0; i < c.length; i++) {
          ps.setString(i + 1, c[i]);
        }
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO orders (id, customer_id, total_cents, currency, status, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      for (SeedOrder o : ORDERS) {
        ps.setString(1, o.id());
        ps.setString(2, o.customerId());
        ps.setLong(3, o.totalCents());
        ps.setString(4, o.currency());
        ps.setString(5, o.status());
        ps.setString(6, o.at());
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO tickets (seq, id, customer_id, subject, body, priority, status,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (String[] t : TICKETS) {
        int seq = Integer.parseInt(t[0]);
        ps.setInt(1, seq);
        ps.setString(2, "T-" + (9000 + seq));
        for (int i = 1; i < t.length; i++) {
          ps.setString(i + 2, t[i]);
        }
        ps.executeUpdate();
      }
    }
  }
}
