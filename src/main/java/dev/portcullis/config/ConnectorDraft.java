package dev.portcullis.config;

import tools.jackson.databind.node.ObjectNode;

/**
 * A connector read from {@code connectors}, before the tools bound to it are known. Each tool on it
 * carries its binding under {@link #bindingKey()} ({@code http:}, {@code sql:}, …); the draft
 * checks that binding against what the connector allows and keeps the compiled operation, then
 * seals everything into its {@link ConnectorSpec}.
 */
interface ConnectorDraft {
  String name();

  /** The key under a tool that binds it to this kind of connector. */
  String bindingKey();

  /**
   * Reads the binding at {@code p} of {@code tool}, whose input schema is {@code schema} (null when
   * the schema itself is broken: check what can be checked without it); records every problem on
   * {@code r}. Returns whether the tool is bound.
   */
  boolean bind(ConfigReader r, String p, String tool, ObjectNode schema);

  /**
   * Tools this connector implies (operations imported from a document), each in the shape of a
   * {@code tools} entry; {@link ToolSection} reads them as it reads the others. None by default.
   */
  default java.util.List<ImpliedTool> impliedTools() {
    return java.util.List.of();
  }

  /** The sealed connector with the operation of every tool bound to it. */
  ConnectorSpec spec();
}
