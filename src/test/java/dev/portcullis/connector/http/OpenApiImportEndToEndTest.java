package dev.portcullis.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.identity.ApiKeys;
import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tools imported from an OpenAPI document, called through a real gateway against a real local HTTP
 * server that implements a few of the document's operations.
 */
class OpenApiImportEndToEndTest {
  private static final String KEY = "pcl_openapi_test_key_not_for_production";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One request the pet store received. */
  record Seen(String method, String target, String body) {}

  @TempDir static Path dir;
  static HttpServer pets;
  static GatewayFixture gateway;
  static final List<Seen> seen = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    pets = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    pets.createContext("/v1/pets", OpenApiImportEndToEndTest::petStore);
    pets.start();
    Files.createDirectories(dir.resolve("openapi"));
    Files.createDirectories(dir.resolve("policies"));
    Files.copy(
        Path.of("src/test/resources/config/openapi/petstore.yaml"),
        dir.resolve("openapi/petstore.yaml"));
    Files.writeString(
        dir.resolve("policies/pets.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: bot-reads-pets
            effect: permit
            target: {agents: [bot], tools: ["pets.*"], risk: [read]}
          - id: bot-adds-pets
            effect: permit
            target: {agents: [bot], tools: [pets.add_pet]}
        """,
        StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("portcullis.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: Gateway
        agents:
          - id: bot
            keys: [%s]
        connectors:
          - name: pets
            type: http
            baseUrl: ${PETS_URL}
            openapi:
              document: openapi/petstore.yaml
              operations:
                listPets:
                getPet:
                  result: {fields: [/id, /name, /species], redact: []}
                createPet: {name: pets.add_pet}
                deletePet:
        policies: [policies/]
        """
            .formatted(ApiKeys.hash(KEY)),
        StandardCharsets.UTF_8);
    String url = "http://127.0.0.1:" + pets.getAddress().getPort() + "/v1";
    gateway =
        GatewayFixture.start(
            dir.resolve("data"), dir.resolve("portcullis.yaml"), Map.of("PETS_URL", url));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    pets.stop(0);
  }

  @BeforeEach
  void forget() {
    seen.clear();
  }

  private static void petStore(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(), body));
    String path = exchange.getRequestURI().getPath();
    String answer;
    int status = 200;
    if (exchange.getRequestMethod().equals("GET") && path.equals("/v1/pets/7")) {
      answer =
          "{\"id\":7,\"name\":\"Rex\",\"species\":\"dog\",\"owner\":{\"email\":\"ann@example.com\"}}";
    } else if (exchange.getRequestMethod().equals("GET") && path.equals("/v1/pets")) {
      answer = "[{\"id\":7,\"name\":\"Rex\"}]";
    } else if (exchange.getRequestMethod().equals("POST") && path.equals("/v1/pets")) {
      status = 201;
      answer = "{\"id\":8,\"created\":true}";
    } else {
      status = 404;
      answer = "{\"error\":\"no such pet\"}";
    }
    byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static HttpResponse<String> invoke(String tool, String arguments) {
    return gateway.invoke(tool, KEY, "{\"arguments\":" + arguments + "}");
  }

  @Test
  void importedGetToolIsAllowedCallsTheDocumentedPathAndFiltersItsResult() {
    HttpResponse<String> r = invoke("pets.getPet", "{\"petId\":7}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(r.body()).path("result");
    assertThat(result.path("name").asString()).isEqualTo("Rex");
    assertThat(result.has("owner")).as("result.fields of the override applies").isFalse();
    assertThat(seen).containsExactly(new Seen("GET", "/v1/pets/7", ""));
  }

  @Test
  void queryParametersOfTheDocumentTravelAsQueryParameters() {
    HttpResponse<String> r = invoke("pets.listPets", "{\"limit\":2,\"tag\":\"good boy\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(seen).containsExactly(new Seen("GET", "/v1/pets?limit=2&tag=good+boy", ""));
  }

  @Test
  void importedPostToolSendsTheBodyPropertiesAsTheJsonBody() {
    String args =
        "{\"name\":\"Tom\",\"species\":\"cat\",\"tag\":null,\"owner\":{\"name\":\"Ann\"}}";

    HttpResponse<String> r = invoke("pets.add_pet", args);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(seen)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.method()).isEqualTo("POST");
              assertThat(s.target()).isEqualTo("/v1/pets");
              assertThat(JSON.readTree(s.body())).isEqualTo(JSON.readTree(args));
            });
  }

  @Test
  void schemaFromTheDocumentRefusesBadArgumentsBeforeAnyUpstreamCall() {
    HttpResponse<String> species =
        invoke("pets.add_pet", "{\"name\":\"Tom\",\"species\":\"horse\"}");
    HttpResponse<String> unknown =
        invoke("pets.add_pet", "{\"name\":\"Tom\",\"species\":\"cat\",\"admin\":true}");
    HttpResponse<String> readOnly =
        invoke("pets.add_pet", "{\"id\":99,\"name\":\"Tom\",\"species\":\"cat\"}");
    HttpResponse<String> nested =
        invoke(
            "pets.add_pet",
            "{\"name\":\"Tom\",\"species\":\"cat\",\"owner\":{\"previous\":{\"x\":1}}}");
    HttpResponse<String> petId = invoke("pets.getPet", "{\"petId\":\"seven\"}");

    for (HttpResponse<String> r : List.of(species, unknown, readOnly, nested, petId)) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
      assertThat(r.body()).contains("invalid-arguments");
    }
    assertThat(species.body()).contains("/species");
    assertThat(unknown.body()).contains("admin");
    assertThat(seen).as("no call reached the pet store").isEmpty();
  }

  @Test
  void importedDeleteIsAWriteSoAReadOnlyPolicyDeniesIt() {
    HttpResponse<String> r = invoke("pets.deletePet", "{\"petId\":7}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(r.body()).contains("denied-by-policy");
    assertThat(seen).isEmpty();
  }
}
