package dev.portcullis.connector.mcp;

import dev.portcullis.vault.SecretRef;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** How to reach one upstream MCP server: streamable HTTP, or a child process over stdio. */
public sealed interface McpTransportSpec {
  /**
   * Streamable HTTP at {@code url}; {@code header} (such as Authorization) carries {@code secret},
   * prefixed by {@code prefix} ({@code "Bearer "}), resolved at each request.
   */
  record Http(URI url, Optional<String> header, String prefix, Optional<SecretRef> secret)
      implements McpTransportSpec {
    public Http {
      Objects.requireNonNull(url, "url");
    }
  }

  /**
   * A child process started with {@code command} in {@code directory} (relative to the
   * configuration file's directory, which is also the default). Its environment holds exactly
   * {@code environment} and {@code secretEnvironment} (resolved at start), PATH, and the basics the
   * SDK passes on (HOME, SHELL, TERM, USER, LOGNAME): nothing else of the gateway's, which may hold
   * the master key.
   */
  record Stdio(
      List<String> command,
      Optional<Path> directory,
      Map<String, String> environment,
      Map<String, SecretRef> secretEnvironment)
      implements McpTransportSpec {
    public Stdio {
      command = List.copyOf(command);
      environment = Map.copyOf(environment);
      secretEnvironment = Map.copyOf(secretEnvironment);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("a stdio upstream needs a command");
      }
    }

    /** This spec with its working directory resolved against {@code base}. */
    public Stdio resolvedAgainst(Path base) {
      return new Stdio(
          command,
          Optional.of(base.resolve(directory.orElse(Path.of("."))).normalize()),
          environment,
          secretEnvironment);
    }
  }
}
