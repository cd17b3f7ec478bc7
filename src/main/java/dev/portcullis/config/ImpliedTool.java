package dev.portcullis.config;

import tools.jackson.databind.node.ObjectNode;

/**
 * A tool a connector implies rather than the file listing it under {@code tools} (an operation
 * imported from an OpenAPI document, say): {@code entry} has the shape of a {@code tools} entry and
 * is read by the same code; {@code at} is the pointer of the configuration field that asked for it,
 * where its problems are shown.
 */
record ImpliedTool(String at, ObjectNode entry) {}
