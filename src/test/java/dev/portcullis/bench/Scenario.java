package dev.portcullis.bench;

import java.io.IOException;
import java.net.http.HttpClient;

/**
 * One kind of request that closed-loop clients repeat. {@code clients} prepares one client (an MCP
 * client opens its session there, before the clock starts); the caller then sends one request per
 * {@link Caller#call}.
 */
record Scenario(String name, ClientFactory clients) {

  @FunctionalInterface
  interface ClientFactory {
    Caller newCaller(HttpClient http) throws IOException, InterruptedException;
  }

  /** One client's request loop body. Never shared between threads. */
  @FunctionalInterface
  interface Caller {
    /**
     * Sends one request and reads the whole answer: null when it was the expected one, else why
     * not.
     */
    String call() throws IOException, InterruptedException;
  }
}
