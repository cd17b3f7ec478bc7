package dev.portcullis.config;

/**
 * A connector as configured, with the compiled operation of every tool bound to it. One record per
 * connector type; the wiring builds the matching connector from it.
 */
public sealed interface ConnectorSpec
    permits HttpConnectorSpec,
        McpConnectorSpec,
        SqlConnectorSpec,
        SlackConnectorSpec,
        MailConnectorSpec {
  String name();
}
