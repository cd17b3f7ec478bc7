package dev.portcullis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import picocli.CommandLine.Option;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where the gateway is and who is asking: the {@code --server} and {@code --key} options that
 * {@code approvals} and {@code invocations} mix in, the call to the gateway's operator API, and the
 * small formatting both print with. Security: the approver's key comes from {@code --key} or {@code
 * $PORTCULLIS_APPROVER_KEY}, is only ever sent to {@code --server} and is never printed.
 */
final class ApproverApi {
  static final String KEY_VARIABLE = "PORTCULLIS_APPROVER_KEY";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonMapper PRETTY =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @Option(
      names = {"-s", "--server"},
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:8080",
      description = "The gateway's base URL (default: ${DEFAULT-VALUE}).")
  URI server;

  @Option(
      names = {"-k", "--key"},
      paramLabel = "KEY",
      description = "The approver's API key (default: $" + KEY_VARIABLE + ").")
  String key;

  JsonNode call(String method, String path, String body) {
    String credential = key != null ? key : System.getenv(KEY_VARIABLE);
    if (credential == null || credential.isBlank()) {
      throw new CliException("no approver key: pass --key or set " + KEY_VARIABLE);
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + credential)
            .header("Accept", "application/json");
    if (body == null) {
      b.GET();
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> r;
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new CliException(
          "cannot reach the gateway at " + server + "; is it running? (--server URL)");
    } catch (IOException e) {
      throw new CliException("the gateway at " + server + " did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(r.body());
    } catch (JacksonException e) {
      throw new CliException(
          "the gateway answered " + r.statusCode() + " with a body that is not JSON");
    }
    if (r.statusCode() >= 400) {
      String type = answer.path("type").asString("");
      throw new CliException(
          type.substring(type.lastIndexOf(':') + 1)
              + " ("
              + r.statusCode()
              + "): "
              + answer.path("detail").asString(""));
    }
    return answer;
  }

  /** An id as one path segment. */
  static String encode(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A query parameter's value. */
  static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Prints {@code value} as indented JSON, two spaces in. */
  static void indent(PrintWriter out, JsonNode value) {
    PRETTY.writeValueAsString(value).lines().forEach(l -> out.println("  " + l));
  }

  /** The call's user and whether it was verified, or {@code -}. */
  static String user(JsonNode call) {
    return call.has("user")
        ? call.at("/user/id").asString()
            + (call.at("/user/verified").asBoolean() ? " (verified)" : " (asserted, not verified)")
        : "-";
  }
}
