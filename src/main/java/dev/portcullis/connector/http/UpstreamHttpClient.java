package dev.portcullis.connector.http;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.routing.SystemDefaultRoutePlanner;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * One connector's HTTP/1.1 client (Apache HttpClient 5 classic): blocking I/O on the calling thread
 * over pooled connections, which costs a call about half the CPU of the JDK's {@code java.net.http}
 * client and its selector thread and executor hand-offs (BENCHMARKS.md, section 10). Configured to
 * do nothing on its own: no redirects, no retries (a write is never retried blindly), no cookies,
 * no compression, no authentication of its own; proxies as the JVM's default {@link
 * java.net.ProxySelector} says, as the JDK client did.
 *
 * <p>Failure: the connect timeout bounds opening a connection, a call's timeout bounds waiting for
 * a pooled connection and every read of the answer, head and body ({@link
 * java.net.SocketTimeoutException} and its kin, all {@link java.io.InterruptedIOException}s). An
 * answer larger than its limit is not drained: its connection is closed, so an endless body costs
 * one read of the limit.
 *
 * <p>Concurrency: thread-safe. Apache's pool guards itself with {@link
 * java.util.concurrent.locks.ReentrantLock}s, which do not pin a virtual thread to its carrier; the
 * benchmark counts pinning events and found none.
 */
final class UpstreamHttpClient implements AutoCloseable {
  /**
   * Connections per upstream: the JDK client had no limit; this one only keeps calls from waiting.
   */
  private static final int MAX_CONNECTIONS = 1024;

  /** A pooled connection idle this long is checked before it is used again. */
  private static final TimeValue VALIDATE_AFTER_IDLE = TimeValue.ofSeconds(1);

  private final CloseableHttpClient client;

  /** The answer to one request, read whole; {@code body} is empty when it was over the limit. */
  record Answer(int status, Optional<String> contentType, Optional<byte[]> body) {}

  UpstreamHttpClient(Duration connectTimeout) {
    this.client =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(MAX_CONNECTIONS)
                    .setMaxConnPerRoute(MAX_CONNECTIONS)
                    .setTlsSocketStrategy(new LazyTls())
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.of(connectTimeout))
                            .setValidateAfterInactivity(VALIDATE_AFTER_IDLE)
                            .build())
                    .build())
            .setRoutePlanner(
                new SystemDefaultRoutePlanner(
                    DefaultSchemePortResolver.INSTANCE, java.net.ProxySelector.getDefault()))
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableContentCompression()
            .disableAuthCaching()
            .disableConnectionState()
            .build();
  }

  /**
   * Sends {@code request} and reads the whole answer, at most {@code maxBytes} of body; the
   * connection goes back to the pool only after an answer read to its end.
   */
  Answer send(HttpUriRequestBase request, Duration timeout, int maxBytes) throws IOException {
    request.setConfig(
        RequestConfig.custom()
            .setConnectionRequestTimeout(Timeout.of(timeout))
            .setResponseTimeout(Timeout.of(timeout))
            .setRedirectsEnabled(false)
            .build());
    ClassicHttpResponse response;
    try {
      response = client.executeOpen(null, request, null);
    } catch (IllegalStateException closed) { // the pool was shut down: a call racing close()
      throw new IOException("the connector's HTTP client is closed", closed);
    }
    boolean whole = false;
    try {
      HttpEntity entity = response.getEntity();
      // Not closed here: closing a stream that is not at its end would drain the rest into the
      // pool.
      byte[] body = entity == null ? new byte[0] : entity.getContent().readNBytes(maxBytes + 1);
      whole = body.length <= maxBytes;
      Header type = response.getFirstHeader("Content-Type");
      return new Answer(
          response.getCode(),
          Optional.ofNullable(type).map(Header::getValue),
          whole ? Optional.of(body) : Optional.empty());
    } finally {
      if (!whole) {
        request.cancel(); // closes the connection: an unread rest is never drained into the pool
      }
      closeQuietly(response, whole);
    }
  }

  private static void closeQuietly(ClassicHttpResponse response, boolean whole) throws IOException {
    try {
      response.close();
    } catch (IOException e) {
      if (whole) {
        throw e;
      }
      // the connection was closed on purpose; the read's own failure, if any, is the one to report
    }
  }

  /**
   * Apache's default TLS ({@link DefaultClientTlsStrategy#createDefault()}, what the builder would
   * otherwise make at once), made at the first TLS connection and kept.
   */
  private static final class LazyTls implements TlsSocketStrategy {
    private volatile TlsSocketStrategy tls;

    @Override
    public javax.net.ssl.SSLSocket upgrade(
        java.net.Socket socket,
        String target,
        int port,
        Object attachment,
        org.apache.hc.core5.http.protocol.HttpContext context)
        throws IOException {
      TlsSocketStrategy t = tls;
      if (t == null) {
        synchronized (this) {
          t = tls;
          if (t == null) {
            t = DefaultClientTlsStrategy.createDefault();
            tls = t;
          }
        }
      }
      return t.upgrade(socket, target, port, attachment, context);
    }
  }

  /** Closes every pooled connection; a call after this fails as unreachable. */
  @Override
  public void close() {
    client.close(CloseMode.GRACEFUL);
  }
}
