package dev.portcullis.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A webhook endpoint on the loopback interface: records every POST (headers and raw body) and
 * answers 204, or the statuses scripted with {@link #answerNext}. {@link #holdAnswers} makes it
 * keep every request waiting until {@link #release} (a slow receiver).
 */
public final class WebhookReceiver implements AutoCloseable {
  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Deque<Integer> script = new ArrayDeque<>();
  private volatile CountDownLatch gate = new CountDownLatch(0);

  /** One request as it arrived. */
  public record Received(
      String method, String path, String signature, String contentType, String text) {}

  private WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  public static WebhookReceiver start() {
    try {
      return new WebhookReceiver();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/portcullis");
  }

  /** The next request is answered {@code status}. */
  public synchronized void answerNext(int status) {
    script.add(status);
  }

  /** From now on requests wait for {@link #release()} before they are answered. */
  public void holdAnswers() {
    gate = new CountDownLatch(1);
  }

  public void release() {
    gate.countDown();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    received.add(
        new Received(
            ex.getRequestMethod(),
            ex.getRequestURI().getRawPath(),
            ex.getRequestHeaders().getFirst("Portcullis-Signature"),
            ex.getRequestHeaders().getFirst("Content-Type"),
            new String(body, StandardCharsets.UTF_8)));
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Integer status;
    synchronized (this) {
      status = script.poll();
    }
    ex.sendResponseHeaders(status == null ? 204 : status, -1);
    ex.close();
  }

  @Override
  public void close() {
    release();
    server.stop(0);
  }
}
