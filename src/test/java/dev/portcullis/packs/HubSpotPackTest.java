package dev.portcullis.packs;

import static dev.portcullis.packs.VendorServer.JSON;
import static dev.portcullis.packs.VendorServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.packs.VendorServer.Request;
import dev.portcullis.packs.VendorServer.Response;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The hubspot-crm pack against a stand-in for HubSpot's CRM API v3 that checks its documented
 * request shapes.
 */
class HubSpotPackTest {
  private static final String TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555";
  private static final Set<String> SEARCH =
      Set.of("query", "filterGroups", "sorts", "properties", "limit", "after");
  private static final Set<String> OPERATORS =
      Set.of(
          "EQ",
          "NEQ",
          "LT",
          "LTE",
          "GT",
          "GTE",
          "BETWEEN",
          "IN",
          "NOT_IN",
          "HAS_PROPERTY",
          "NOT_HAS_PROPERTY",
          "CONTAINS_TOKEN",
          "NOT_CONTAINS_TOKEN");

  @TempDir Path dir;
  private VendorServer hubspot;
  private PackRig rig;

  @BeforeEach
  void start() {
    hubspot =
        new VendorServer("Bearer " + TOKEN)
            .route(
                "GET",
                "/crm/v3/objects/contacts/([0-9]+)",
                (req, m) -> {
                  expect(
                      Set.of(
                              "properties",
                              "propertiesWithHistory",
                              "associations",
                              "archived",
                              "idProperty")
                          .containsAll(req.query().keySet()),
                      "unknown query parameter");
                  return new Response(200, contact(m.group(1)));
                })
            .route(
                "POST",
                "/crm/v3/objects/contacts/search",
                (req, m) -> {
                  JsonNode b = req.json();
                  expect(SEARCH.containsAll(VendorServer.names(b)), "unknown member in " + b);
                  expect(
                      b.path("limit").isMissingNode() || b.path("limit").asInt() <= 200,
                      "limit is at most 200");
                  expect(
                      b.path("after").isMissingNode() || b.path("after").isString(),
                      "after is a string");
                  for (JsonNode group : b.path("filterGroups")) {
                    for (JsonNode f : group.path("filters")) {
                      expect(
                          f.path("propertyName").isString()
                              && OPERATORS.contains(f.path("operator").asString("")),
                          "a filter has a propertyName and an operator");
                    }
                  }
                  return new Response(
                      200,
                      "{\"total\":1,\"results\":["
                          + contact("151")
                          + "],"
                          + "\"paging\":{\"next\":{\"after\":\"1\"}}}");
                })
            .route(
                "POST",
                "/crm/v3/objects/contacts",
                (req, m) -> {
                  properties(req);
                  return new Response(201, contact("152"));
                })
            .route(
                "PATCH",
                "/crm/v3/objects/contacts/([0-9]+)",
                (req, m) -> {
                  properties(req);
                  return new Response(200, contact(m.group(1)));
                });
    rig =
        PackRig.load(
            dir,
            """
        connectors:
          - name: hubspot
            type: http
            baseUrl: ${HUBSPOT_URL}
            auth: {type: bearer, secret: "env:HUBSPOT_TOKEN"}
        tools:
          - pack: hubspot-crm
            connector: hubspot
            include: [hubspot.contact_get, hubspot.contact_search, hubspot.contact_find_by_email,
                      hubspot.contact_create, hubspot.contact_update]
        """,
            Map.of("HUBSPOT_URL", hubspot.baseUrl(), "HUBSPOT_TOKEN", TOKEN));
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  /**
   * Creates and updates carry {"properties": {name: value}} (and, on create, maybe associations).
   */
  private static void properties(Request req) {
    JsonNode b = req.json();
    expect(
        Set.of("properties", "associations").containsAll(VendorServer.names(b)),
        "unknown member in " + b);
    expect(b.path("properties").isObject(), "properties must be an object");
    for (JsonNode v : b.path("properties")) {
      expect(v.isString(), "property values are strings");
    }
  }

  private static String contact(String id) {
    return """
        {"id":"%s","properties":{"email":"ada@example.com","firstname":"Ada","lastname":"Lovelace",\
        "hs_object_id":"%s"},"createdAt":"2026-11-01T10:00:00Z","updatedAt":"2026-11-20T10:00:00Z",\
        "archived":false}"""
        .formatted(id, id);
  }

  @Test
  void getsAContactAskingForThePacksProperties() {
    JsonNode contact = rig.value("hubspot.contact_get", "{\"contactId\":\"151\"}");

    Request req = hubspot.only();
    assertThat(hubspot.refusals()).isEmpty();
    assertThat(req.rawPath()).isEqualTo("/crm/v3/objects/contacts/151");
    assertThat(req.query())
        .containsExactly(
            Map.entry(
                "properties",
                "email,firstname,lastname,phone,company,lifecyclestage,lastmodifieddate"),
            Map.entry("archived", "false"));
    assertThat(contact.path("id").asString()).isEqualTo("151");
  }

  @Test
  void searchesContactsByTextWithPaging() {
    rig.value("hubspot.contact_search", "{\"query\":\"lovelace\",\"limit\":5,\"after\":\"10\"}");

    Request req = hubspot.only();
    assertThat(hubspot.refusals()).isEmpty();
    assertThat(req.json())
        .isEqualTo(
            JSON.readTree(
                """
        {"query":"lovelace","properties":["email","firstname","lastname","phone","company","lifecyclestage"],
         "limit":5,"after":"10"}"""));
  }

  @Test
  void findsAContactByEmailWithAnEqualityFilter() {
    rig.value("hubspot.contact_find_by_email", "{\"email\":\"ada@example.com\"}");

    Request req = hubspot.only();
    assertThat(hubspot.refusals()).isEmpty();
    assertThat(req.rawPath()).isEqualTo("/crm/v3/objects/contacts/search");
    assertThat(req.json())
        .isEqualTo(
            JSON.readTree(
                """
        {"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"ada@example.com"}]}],
         "properties":["email","firstname","lastname","phone","company","lifecyclestage"],"limit":1}"""));
  }

  @Test
  void createsAContactWithItsFieldsUnderProperties() {
    rig.value(
        "hubspot.contact_create", "{\"email\":\"grace@example.com\",\"firstname\":\"Grace\"}");

    Request req = hubspot.only();
    assertThat(hubspot.refusals()).isEmpty();
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.rawPath()).isEqualTo("/crm/v3/objects/contacts");
    assertThat(req.json())
        .isEqualTo(
            JSON.readTree(
                "{\"properties\":{\"email\":\"grace@example.com\",\"firstname\":\"Grace\"}}"));
  }

  @Test
  void updatesAContactByPatchSendingOnlyTheChangedProperties() {
    rig.value("hubspot.contact_update", "{\"contactId\":\"151\",\"lifecyclestage\":\"customer\"}");

    Request req = hubspot.only();
    assertThat(hubspot.refusals()).isEmpty();
    assertThat(req.method()).isEqualTo("PATCH");
    assertThat(req.rawPath()).isEqualTo("/crm/v3/objects/contacts/151");
    assertThat(req.json())
        .isEqualTo(JSON.readTree("{\"properties\":{\"lifecyclestage\":\"customer\"}}"));
  }

  @Test
  void refusesAnUnknownPropertyOrAMalformedIdBeforeAnyRequest() {
    assertThat(
            rig.violations(
                "hubspot.contact_update", "{\"contactId\":\"151\",\"hubspot_owner_id\":\"1\"}"))
        .isNotEmpty();
    assertThat(rig.violations("hubspot.contact_get", "{\"contactId\":\"151/associations\"}"))
        .isNotEmpty();
    assertThat(hubspot.seen()).isEmpty();
  }
}
