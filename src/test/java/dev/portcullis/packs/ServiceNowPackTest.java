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
 * The servicenow pack against a stand-in for the ServiceNow Table API that checks its documented
 * request shapes.
 */
class ServiceNowPackTest {
  private static final String TOKEN = "servicenow-oauth-access-token-for-tests";
  private static final String SYS_ID = "9d385017c611228701d22104cc95c371";
  private static final Set<String> READ_ONE =
      Set.of(
          "sysparm_display_value",
          "sysparm_exclude_reference_link",
          "sysparm_fields",
          "sysparm_view",
          "sysparm_query_no_domain");
  private static final Set<String> READ_MANY =
      Set.of(
          "sysparm_query",
          "sysparm_display_value",
          "sysparm_exclude_reference_link",
          "sysparm_suppress_pagination_header",
          "sysparm_fields",
          "sysparm_limit",
          "sysparm_view",
          "sysparm_query_category",
          "sysparm_query_no_domain",
          "sysparm_no_count",
          "sysparm_offset");
  private static final Set<String> WRITE =
      Set.of(
          "sysparm_display_value",
          "sysparm_exclude_reference_link",
          "sysparm_fields",
          "sysparm_input_display_value",
          "sysparm_suppress_auto_sys_field",
          "sysparm_view",
          "sysparm_query_no_domain");

  @TempDir Path dir;
  private VendorServer now;
  private PackRig rig;

  @BeforeEach
  void start() {
    now =
        new VendorServer("Bearer " + TOKEN)
            .route(
                "GET",
                "/api/now/table/incident/([0-9a-f]{32})",
                (req, m) -> {
                  expect(READ_ONE.containsAll(req.query().keySet()), "unknown query parameter");
                  return new Response(200, "{\"result\":" + incident(m.group(1)) + "}");
                })
            .route(
                "GET",
                "/api/now/table/incident",
                (req, m) -> {
                  expect(READ_MANY.containsAll(req.query().keySet()), "unknown query parameter");
                  expect(
                      req.query().getOrDefault("sysparm_limit", "1").matches("[0-9]+"),
                      "sysparm_limit is a number");
                  expect(
                      req.query().getOrDefault("sysparm_offset", "0").matches("[0-9]+"),
                      "sysparm_offset is a number");
                  return new Response(200, "{\"result\":[" + incident(SYS_ID) + "]}");
                })
            .route(
                "POST",
                "/api/now/table/incident",
                (req, m) -> {
                  expect(WRITE.containsAll(req.query().keySet()), "unknown query parameter");
                  flatFields(req);
                  return new Response(201, "{\"result\":" + incident(SYS_ID) + "}");
                })
            .route(
                "PATCH",
                "/api/now/table/incident/([0-9a-f]{32})",
                (req, m) -> {
                  expect(WRITE.containsAll(req.query().keySet()), "unknown query parameter");
                  flatFields(req);
                  expect(!req.json().has("sys_id"), "sys_id is in the path, not the body");
                  return new Response(200, "{\"result\":" + incident(m.group(1)) + "}");
                });
    rig =
        PackRig.load(
            dir,
            """
        connectors:
          - name: itsm
            type: http
            baseUrl: ${NOW_URL}
            auth: {type: bearer, secret: "env:NOW_TOKEN"}
        tools:
          - pack: servicenow
            connector: itsm
            include: [servicenow.incident_get, servicenow.incident_list, servicenow.incident_create,
                      servicenow.incident_update]
        """,
            Map.of("NOW_URL", now.baseUrl(), "NOW_TOKEN", TOKEN));
  }

  @AfterEach
  void stop() {
    now.close();
  }

  /** The Table API takes a record as a flat object of field names to values. */
  private static void flatFields(Request req) {
    for (JsonNode v : req.json()) {
      expect(v.isValueNode(), "a record is a flat object of field values");
    }
  }

  private static String incident(String sysId) {
    return """
        {"sys_id":"%s","number":"INC0010042","short_description":"Email down","state":"2","priority":"1",\
        "assigned_to":"5137153cc611227c000bbd1bd8cd2005","sys_updated_on":"2026-11-23 09:30:00"}"""
        .formatted(sysId);
  }

  @Test
  void getsAnIncidentNamingTheFieldsItReturns() {
    JsonNode result = rig.value("servicenow.incident_get", "{\"sys_id\":\"" + SYS_ID + "\"}");

    Request req = now.only();
    assertThat(now.refusals()).isEmpty();
    assertThat(req.method()).isEqualTo("GET");
    assertThat(req.rawPath()).isEqualTo("/api/now/table/incident/" + SYS_ID);
    assertThat(req.query())
        .containsExactly(
            Map.entry(
                "sysparm_fields",
                "sys_id,number,short_description,description,state,priority,urgency,impact,"
                    + "assignment_group,assigned_to,opened_at,sys_updated_on"),
            Map.entry("sysparm_exclude_reference_link", "true"));
    assertThat(result.path("result").path("number").asString()).isEqualTo("INC0010042");
  }

  @Test
  void listsIncidentsWithAnEncodedQueryAndALimit() {
    rig.value("servicenow.incident_list", "{\"query\":\"active=true^priority=1\",\"limit\":5}");

    Request req = now.only();
    assertThat(now.refusals()).isEmpty();
    assertThat(req.rawPath()).isEqualTo("/api/now/table/incident");
    assertThat(req.query())
        .containsExactly(
            Map.entry("sysparm_query", "active=true^priority=1"),
            Map.entry("sysparm_limit", "5"),
            Map.entry(
                "sysparm_fields",
                "sys_id,number,short_description,state,priority,assigned_to,sys_updated_on"),
            Map.entry("sysparm_exclude_reference_link", "true"));
  }

  @Test
  void opensAnIncidentWithAFlatRecord() {
    rig.value(
        "servicenow.incident_create",
        "{\"short_description\":\"Email down\",\"urgency\":\"1\",\"impact\":\"2\",\"category\":\"network\"}");

    Request req = now.only();
    assertThat(now.refusals()).isEmpty();
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.rawPath()).isEqualTo("/api/now/table/incident");
    assertThat(req.query())
        .containsEntry("sysparm_fields", "sys_id,number,short_description,state,priority");
    assertThat(req.json())
        .isEqualTo(
            JSON.readTree(
                "{\"short_description\":\"Email down\",\"urgency\":\"1\",\"impact\":\"2\",\"category\":\"network\"}"));
  }

  @Test
  void updatesAnIncidentByPatchWithItsIdInThePathOnly() {
    rig.value(
        "servicenow.incident_update",
        "{\"sys_id\":\"" + SYS_ID + "\",\"state\":\"6\",\"work_notes\":\"Mail relay restarted.\"}");

    Request req = now.only();
    assertThat(now.refusals()).isEmpty();
    assertThat(req.method()).isEqualTo("PATCH");
    assertThat(req.rawPath()).isEqualTo("/api/now/table/incident/" + SYS_ID);
    assertThat(req.json())
        .isEqualTo(JSON.readTree("{\"state\":\"6\",\"work_notes\":\"Mail relay restarted.\"}"));
  }

  @Test
  void refusesAMalformedSysIdOrAnEmptyUpdateBeforeAnyRequest() {
    assertThat(rig.violations("servicenow.incident_get", "{\"sys_id\":\"../sys_user\"}"))
        .isNotEmpty();
    assertThat(rig.violations("servicenow.incident_update", "{\"sys_id\":\"" + SYS_ID + "\"}"))
        .isNotEmpty();
    assertThat(rig.violations("servicenow.incident_list", "{\"limit\":1000}")).isNotEmpty();
    assertThat(now.seen()).isEmpty();
  }
}
