package dev.portcullis.connector.mail;

import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.connector.TransportFailure;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretUse;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends the text/plain mail an agent asks for over SMTP ({@link SmtpTransport}, shared with the
 * approval notices) from the one sender the configuration fixes, to recipients in the allowed
 * domains only. This class is the connector's policy (which domains, how many recipients, which
 * tool may ask); the transport is the protocol and its header and address checks.
 *
 * <p>Security: the whole message is checked ({@link MailRequest}) before the password is resolved
 * or a connection opened; a refused message sends nothing. The transport gives the password to the
 * SMTP login only and masks any server text it shows.
 *
 * <p>Failure: the transport's typed failure as it is (a refused login {@link
 * FailureKind#CREDENTIAL_UNAVAILABLE}, a refused recipient or message {@link
 * FailureKind#UPSTREAM_REJECTED}, nothing having gone out); no retries, as a message is a write.
 *
 * <p>Concurrency: immutable; each call opens its own session and connection.
 */
public final class MailConnector implements Connector {
  private static final Logger LOG = LoggerFactory.getLogger(MailConnector.class);

  private final String name;
  private final SmtpServer server;
  private final RecipientDomains domains;
  private final int maxRecipients;
  private final Map<String, MailOperation> operations;
  private final SecretResolver secrets;
  private final JsonMapper json;
  private final SmtpTransport smtp;

  public MailConnector(
      String name,
      SmtpServer server,
      String from,
      RecipientDomains domains,
      int maxRecipients,
      Map<String, MailOperation> operations,
      SecretResolver secrets,
      JsonMapper json,
      Clock clock) {
    this.name = name;
    this.server = server;
    this.domains = domains;
    this.maxRecipients = maxRecipients;
    this.operations = Map.copyOf(operations);
    this.secrets = secrets;
    this.json = json;
    this.smtp =
        new SmtpTransport(
            server,
            from,
            "the SMTP server of " + name,
            "the credential for connector " + name,
            clock);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ConnectorResult invoke(Invocation invocation) {
    MailOperation op = operations.get(invocation.toolName());
    if (op == null) {
      return new ConnectorResult.Failure(
          FailureKind.INTERNAL,
          "connector " + name + " has no operation for " + invocation.toolName());
    }
    MailRequest.Checked checked = MailRequest.check(invocation.arguments(), domains, maxRecipients);
    if (checked.mail() == null) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_REJECTED,
          "connector "
              + name
              + " refused the message: "
              + checked.refusal()
              + "; nothing was sent");
    }
    Secret password = null;
    if (server.password().isPresent()) {
      try {
        password =
            secrets.resolve(server.password().get(), SecretUse.tool(name, invocation.toolName()));
      } catch (SecretResolver.SecretUnavailableException e) {
        LOG.warn("connector {}: {}", name, e.getMessage());
        return new ConnectorResult.Failure(
            FailureKind.CREDENTIAL_UNAVAILABLE,
            "the credential for connector " + name + " is unavailable");
      }
    }
    CredentialUse used =
        password == null
            ? null
            : new CredentialUse(password.ref().toString(), password.version(), false);
    try {
      String messageId = smtp.send(checked.mail(), password);
      ObjectNode result = json.createObjectNode();
      result.put("messageId", messageId);
      var accepted = result.putArray("accepted");
      checked.mail().recipients().forEach(accepted::add);
      return new ConnectorResult.Success(result, used);
    } catch (TransportFailure f) {
      return new ConnectorResult.Failure(f.kind(), f.getMessage(), used);
    }
  }
}
