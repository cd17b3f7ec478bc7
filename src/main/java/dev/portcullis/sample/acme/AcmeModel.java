package dev.portcullis.sample.acme;

import java.math.BigDecimal;
import java.util.List;

/**
 * The Acme sample system's resources as they appear on the wire. Jackson serialises these records
 * directly, so the component names are the JSON field names.
 */
final class AcmeModel {

  private AcmeModel() {}

  record Customer(String id, String name, String email, String phone, String tier, String region) {}

  /** {@code total} always carries scale 2 so JSON shows e.g. {@code 129.90}, never a float. */
  record Order(
      String id,
      String customerId,
      BigDecimal total,
      String currency,
      String status,
      String createdAt) {}

  record Ticket(
      String id,
      String customerId,
      String subject,
      String body,
      String priority,
      String status,
      String createdAt) {}

  record Refund(
      String refundId,
      String orderId,
      BigDecimal amount,
      String currency,
      String reason,
      String status,
      String createdAt) {}

  /** A validated ticket request, before the database assigns an id. */
  record NewTicket(String customerId, String subject, String body, String priority) {}

  /** Outcome of a ticket creation: {@code replayed} is true when an idempotency key matched. */
  record TicketCreation(Ticket ticket, boolean replayed) {}

  record CustomerList(List<Customer> customers) {}

  record OrderList(List<Order> orders) {}
}
