package dev.portcullis.config;

import dev.portcullis.connector.mail.MailOperation;
import dev.portcullis.connector.mail.RecipientDomains;
import dev.portcullis.connector.mail.SmtpServer;
import java.util.Map;

/** An SMTP connector as configured, with the operation of every tool bound to it. */
public record MailConnectorSpec(
    String name,
    SmtpServer server,
    String from,
    RecipientDomains allowedRecipientDomains,
    int maxRecipients,
    Map<String, MailOperation> operations)
    implements ConnectorSpec {

  public MailConnectorSpec {
    operations = Map.copyOf(operations);
  }
}
