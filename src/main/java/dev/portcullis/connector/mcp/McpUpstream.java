package dev.portcullis.connector.mcp;

import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretUse;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One session with one upstream MCP server, opened at first use and opened again after it breaks.
 *
 * <p>Security: the upstream credential is resolved from its reference when the session opens
 * (stdio: into the child's environment, which holds nothing else of the gateway's) or at each
 * request (HTTP: into one header). The secrets in use are kept only so that {@link #mask} can
 * remove any echo of them. The agent's own token never reaches this class.
 *
 * <p>Concurrency: calls share the one session (the SDK multiplexes requests); opening and closing
 * it are serialised on this object. Once closed, it never opens a session again.
 */
public final class McpUpstream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(McpUpstream.class);
  private static final String PROTOCOL_CLIENT = "portcullis-gateway";

  private final String connector;
  private final McpTransportSpec transport;
  private final SecretResolver secrets;
  private final Duration timeout;
  private final JsonMapper json;
  private final String version;
  private final McpLimits limits;
  private final List<ToolsListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<Secret> lastHeaderSecret = new AtomicReference<>();
  private volatile List<Secret> processSecrets = List.of();
  private McpSyncClient client;
  private boolean closed;

  /** Hears about the upstream's tools: a new listing, or one that failed or was refused. */
  public interface ToolsListener {
    void listed(List<UpstreamTool> tools);

    void listingFailed(String reason);
  }

  public McpUpstream(
      String connector,
      McpTransportSpec transport,
      SecretResolver secrets,
      Duration timeout,
      JsonMapper json,
      String version) {
    this(connector, transport, secrets, timeout, json, version, McpLimits.DEFAULT);
  }

  public McpUpstream(
      String connector,
      McpTransportSpec transport,
      SecretResolver secrets,
      Duration timeout,
      JsonMapper json,
      String version,
      McpLimits limits) {
    this.limits = limits;
    this.connector = connector;
    this.transport = transport;
    this.secrets = secrets;
    this.timeout = timeout;
    this.json = json;
    this.version = version;
  }

  public String connector() {
    return connector;
  }

  /** Told whenever the upstream says its tools changed, and when a new session lists them. */
  public void onToolsChanged(ToolsListener listener) {
    listeners.add(listener);
  }

  public McpLimits limits() {
    return limits;
  }

  /**
   * Every tool the upstream offers now, following pagination.
   *
   * @throws UpstreamException.Refused when the listing breaks the {@link McpLimits} or names a tool
   *     twice
   */
  public List<UpstreamTool> listTools() throws UpstreamException {
    McpSyncClient c = session();
    try {
      return list(c);
    } catch (RuntimeException e) {
      reset(c);
      credentialFailure(e);
      if (isOverSize(e)) {
        throw new UpstreamException.Refused(
            "upstream "
                + connector
                + " sent a page of its tool list over "
                + limits.maxMessageBytes()
                + " bytes (maxMessageBytes); the listing is refused");
      }
      throw new UpstreamException(
          "listing the tools of " + connector + " failed: " + mask(message(e)), e);
    }
  }

  /** Every tool of the session, following pagination, within the limits. */
  private List<UpstreamTool> list(McpSyncClient c) throws UpstreamException.Refused {
    List<McpSchema.Tool> out = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      if (++pages > McpLimits.MAX_PAGES) {
        throw new UpstreamException.Refused(
            "upstream "
                + connector
                + " lists its tools on more than "
                + McpLimits.MAX_PAGES
                + " pages; the listing is refused");
      }
      // listTools() without a cursor would follow every cursor itself, without bound: one page at a
      // time.
      McpSchema.ListToolsResult page = c.listTools(cursor == null ? McpSchema.FIRST_PAGE : cursor);
      if (out.size() + page.tools().size() > limits.maxTools()) {
        throw tooMany();
      }
      out.addAll(page.tools());
      cursor = page.nextCursor();
    } while (cursor != null);
    return checked(out);
  }

  private UpstreamException.Refused tooMany() {
    return new UpstreamException.Refused(
        "upstream "
            + connector
            + " lists more than "
            + limits.maxTools()
            + " tools (maxTools); the listing is refused");
  }

  /** {@code tools} as ours, if it is within the limits and names each tool once. */
  private List<UpstreamTool> checked(List<McpSchema.Tool> tools) throws UpstreamException.Refused {
    if (tools.size() > limits.maxTools()) {
      throw tooMany();
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    List<UpstreamTool> out = new ArrayList<>(tools.size());
    for (McpSchema.Tool t : tools) {
      if (!names.add(t.name())) {
        // Which of the two would a call run? The listing cannot be checked against an approval.
        throw new UpstreamException.Refused(
            "upstream "
                + connector
                + " lists the tool '"
                + t.name()
                + "' twice; the listing is refused");
      }
      out.add(tool(t));
    }
    return List.copyOf(out);
  }

  /** Calls {@code tool} (the upstream's own name) with {@code arguments}. */
  public McpSchema.CallToolResult call(String tool, JsonNode arguments) throws UpstreamException {
    McpSyncClient c = session();
    @SuppressWarnings("unchecked")
    Map<String, Object> args = json.convertValue(arguments, LinkedHashMap.class);
    try {
      return c.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    } catch (RuntimeException e) {
      credentialFailure(e);
      if (isOverSize(e)) {
        reset(c);
        throw new UpstreamException.Refused(
            "upstream "
                + connector
                + " tool "
                + tool
                + " answered more than "
                + limits.maxMessageBytes()
                + " bytes (maxMessageBytes); the result is refused");
      }
      if (isTimeout(e)) {
        throw new UpstreamException.Timeout(
            "upstream " + connector + " did not answer " + tool + " within " + timeout, e);
      }
      reset(c);
      throw new UpstreamException(
          "upstream " + connector + " failed on " + tool + ": " + mask(message(e)), e);
    }
  }

  /** The credential used by the latest request, if any: reference and version for the audit. */
  public Optional<Secret> credential() {
    Secret header = lastHeaderSecret.get();
    if (header != null) {
      return Optional.of(header);
    }
    List<Secret> process = processSecrets;
    return process.isEmpty() ? Optional.empty() : Optional.of(process.get(0));
  }

  /** {@code text} with every secret this session uses replaced. */
  public String mask(String text) {
    String out = text;
    Secret header = lastHeaderSecret.get();
    if (header != null) {
      out = header.maskIn(out);
    }
    for (Secret s : processSecrets) {
      out = s.maskIn(out);
    }
    return out;
  }

  private synchronized McpSyncClient session() throws UpstreamException {
    if (client != null) {
      return client;
    }
    if (closed) {
      // A call racing a reload's close must not open a session (or start a process) nobody closes.
      throw new UpstreamException("the client of upstream " + connector + " is closed");
    }
    McpClientTransport t =
        switch (transport) {
          case McpTransportSpec.Http h -> http(h);
          case McpTransportSpec.Stdio s -> stdio(s);
        };
    McpSyncClient c =
        McpClient.sync(t)
            .requestTimeout(timeout)
            .initializationTimeout(timeout)
            .clientInfo(McpSchema.Implementation.builder(PROTOCOL_CLIENT, version).build())
            .toolsChangeConsumer(
                tools -> {
                  try {
                    List<UpstreamTool> list = checked(tools);
                    listeners.forEach(l -> l.listed(list));
                  } catch (UpstreamException.Refused | RuntimeException e) {
                    String reason = mask(String.valueOf(e.getMessage()));
                    listeners.forEach(l -> l.listingFailed(reason));
                  }
                })
            .build();
    try {
      c.initialize();
    } catch (RuntimeException e) {
      c.close();
      credentialFailure(e);
      throw new UpstreamException(
          "cannot open a session with upstream " + connector + ": " + mask(message(e)), e);
    }
    client = c;
    announce(c);
    return c;
  }

  /**
   * A new session may be a new server, whose tools changed without a notification: its listing goes
   * to the listeners at once, as a change notification would.
   */
  private void announce(McpSyncClient c) {
    if (listeners.isEmpty()) {
      return;
    }
    List<UpstreamTool> tools;
    try {
      tools = list(c);
    } catch (UpstreamException.Refused | RuntimeException e) {
      String reason = e instanceof UpstreamException.Refused ? e.getMessage() : mask(message(e));
      LOG.warn("upstream {}: listing the tools of a new session failed: {}", connector, reason);
      listeners.forEach(l -> l.listingFailed(reason));
      return;
    }
    listeners.forEach(l -> l.listed(tools));
  }

  private McpClientTransport http(McpTransportSpec.Http h) {
    String url = h.url().toString();
    String path =
        h.url().getRawPath() == null || h.url().getRawPath().isEmpty() ? "/" : h.url().getRawPath();
    String base =
        url.substring(
            0, url.length() - (h.url().getRawPath() == null ? 0 : h.url().getRawPath().length()));
    HttpClientStreamableHttpTransport.Builder b =
        HttpClientStreamableHttpTransport.builder(base)
            .endpoint(path)
            .connectTimeout(timeout)
            .maxResponseSize(limits.maxMessageBytes())
            .customizeClient(
                client -> {
                  client.followRedirects(java.net.http.HttpClient.Redirect.NEVER);
                  if ("http".equalsIgnoreCase(h.url().getScheme())) {
                    client.sslContext(
                        NoTls.context()); // never used; spares reading the trust store
                  }
                });
    if (h.secret().isPresent() && h.header().isPresent()) {
      SecretRef ref = h.secret().get();
      String header = h.header().get();
      b.addHttpRequestCustomizer(
          (request, method, uri, body, context) -> {
            try {
              Secret s = secrets.resolve(ref, SecretUse.connector(connector));
              lastHeaderSecret.set(s);
              request.header(header, h.prefix() + s.reveal());
            } catch (SecretResolver.SecretUnavailableException e) {
              throw new CredentialUnavailable(e.getMessage());
            }
          });
    }
    return b.build();
  }

  private McpClientTransport stdio(McpTransportSpec.Stdio s) throws UpstreamException {
    Map<String, String> env = new LinkedHashMap<>();
    String path = System.getenv("PATH");
    if (path != null) {
      env.put("PATH", path);
    }
    env.putAll(s.environment());
    List<Secret> resolved = new ArrayList<>();
    for (Map.Entry<String, SecretRef> e : s.secretEnvironment().entrySet()) {
      try {
        Secret secret = secrets.resolve(e.getValue(), SecretUse.connector(connector));
        resolved.add(secret);
        env.put(e.getKey(), secret.reveal());
      } catch (SecretResolver.SecretUnavailableException ex) {
        throw new UpstreamException.Credential(ex.getMessage());
      }
    }
    processSecrets = List.copyOf(resolved);
    ServerParameters params =
        ServerParameters.builder(s.command().get(0))
            .args(s.command().subList(1, s.command().size()))
            .env(env)
            .build();
    StdioClientTransport t =
        new StdioClientTransport(params, McpJsonDefaults.getMapper()) {
          @Override
          protected ProcessBuilder getProcessBuilder() {
            ProcessBuilder pb = new ProcessBuilder();
            pb.environment().clear();
            s.directory().ifPresent(d -> pb.directory(d.toFile()));
            return pb;
          }
        };
    t.setStdErrorHandler(line -> LOG.info("upstream {} stderr: {}", connector, mask(line)));
    return t;
  }

  private UpstreamTool tool(McpSchema.Tool t) {
    JsonNode schema =
        json.valueToTree(t.inputSchema() == null ? Map.of("type", "object") : t.inputSchema());
    JsonNode annotations = t.annotations() == null ? null : json.valueToTree(t.annotations());
    return new UpstreamTool(t.name(), t.title(), t.description(), schema, annotations);
  }

  /**
   * Drops the broken session {@code broken}; the next call opens a new one. A session another call
   * has opened since is left alone.
   */
  @SuppressWarnings("ReferenceEquality") // the very session that failed, not an equal one
  private synchronized void reset(McpSyncClient broken) {
    if (client != null && client == broken) {
      try {
        client.closeGracefully();
      } catch (RuntimeException e) {
        LOG.debug("upstream {}: closing a broken session: {}", connector, e.toString());
      }
      client = null;
    }
  }

  private static void credentialFailure(Throwable e) throws UpstreamException.Credential {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CredentialUnavailable c) {
        throw new UpstreamException.Credential(c.getMessage());
      }
    }
  }

  /**
   * Whether the HTTP client refused a message over {@code maxResponseSize}. The SDK gives no public
   * type for it (a JSON body: its package-private {@code MaxSizeExceededException}; an event
   * stream: a plain {@link McpTransportException} with this message), so the name and the message
   * are the only handles. {@code UpstreamMcpGatewayTest} pins them: after an SDK upgrade that
   * changes them the call still fails, only as unavailable instead of too large.
   */
  private static boolean isOverSize(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getClass()
              .getName()
              .equals("io.modelcontextprotocol.client.transport.MaxSizeExceededException")
          || (t instanceof McpTransportException
              && String.valueOf(t.getMessage())
                  .startsWith("Inbound line exceeds the maximum allowed size"))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException
          || t instanceof java.net.http.HttpTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static String message(Throwable e) {
    Throwable root = e;
    for (int depth = 0; root.getCause() != null && depth < 16; depth++) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null ? root.getClass().getSimpleName() : m;
  }

  /** Ends the session; a later call or listing fails instead of opening a new one. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (client != null) {
      try {
        client.closeGracefully();
      } catch (RuntimeException e) {
        LOG.debug("upstream {}: close: {}", connector, e.toString());
      }
      client = null;
    }
  }

  /** The upstream credential could not be resolved for a request. */
  static final class CredentialUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CredentialUnavailable(String message) {
      super(message);
    }
  }
}
