package dev.portcullis.packs;

import static dev.portcullis.packs.VendorServer.JSON;
import static dev.portcullis.packs.VendorServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.packs.VendorServer.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The jira-cloud pack against a stand-in for Jira Cloud's REST API v3 that checks its documented
 * request shapes.
 */
class JiraCloudPackTest {
  private static final String TOKEN = "ATATT3xFfGF0-jira-api-token-for-tests";
  private static final String KEY = "[A-Z][A-Z0-9_]*-[1-9][0-9]*|[0-9]+";
  private static final Set<String> GET_ISSUE_QUERY =
      Set.of("fields", "expand", "properties", "fieldsByKeys", "updateHistory", "failFast");
  private static final Set<String> SEARCH_BODY =
      Set.of(
          "jql",
          "nextPageToken",
          "maxResults",
          "fields",
          "expand",
          "properties",
          "fieldsByKeys",
          "failFast",
          "reconcileIssues");
  private static final Set<String> CREATE_BODY =
      Set.of("fields", "update", "transition", "properties", "historyMetadata");

  @TempDir Path dir;
  private VendorServer jira;
  private PackRig rig;

  @BeforeEach
  void start() {
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("bot@example.com:" + TOKEN).getBytes(StandardCharsets.UTF_8));
    jira =
        new VendorServer(basic)
            .route(
                "GET",
                "/rest/api/3/issue/(" + KEY + ")",
                (req, m) -> {
                  expect(
                      GET_ISSUE_QUERY.containsAll(req.query().keySet()), "unknown query parameter");
                  return new Response(200, issue(m.group(1)));
                })
            .route(
                "POST",
                "/rest/api/3/search/jql",
                (req, m) -> {
                  JsonNode b = req.json();
                  expect(SEARCH_BODY.containsAll(VendorServer.names(b)), "unknown member in " + b);
                  expect(b.path("jql").isString(), "jql must be a string");
                  expect(
                      b.path("fields").isMissingNode() || b.path("fields").isArray(),
                      "fields must be a list");
                  expect(
                      b.path("maxResults").isMissingNode()
                          || b.path("maxResults").isIntegralNumber(),
                      "maxResults");
                  return new Response(
                      200,
                      "{\"issues\":["
                          + issue("PROJ-7")
                          + "],\"nextPageToken\":\"CAEaAggD\",\"isLast\":false}");
                })
            .route(
                "POST",
                "/rest/api/3/issue",
                (req, m) -> {
                  JsonNode b = req.json();
                  expect(CREATE_BODY.containsAll(VendorServer.names(b)), "unknown member in " + b);
                  JsonNode f = b.path("fields");
                  expect(
                      f.path("project").path("key").isString()
                          || f.path("project").path("id").isString(),
                      "fields.project needs key or id");
                  expect(
                      f.path("issuetype").path("name").isString()
                          || f.path("issuetype").path("id").isString(),
                      "fields.issuetype needs name or id");
                  expect(f.path("summary").isString(), "fields.summary must be a string");
                  expect(
                      f.path("description").isMissingNode() || isAdf(f.path("description")),
                      "fields.description must be an Atlassian Document Format document");
                  return new Response(
                      201,
                      "{\"id\":\"10042\",\"key\":\"PROJ-42\",\"self\":\""
                          + jira.baseUrl()
                          + "/rest/api/3/issue/10042\"}");
                })
            .route(
                "POST",
                "/rest/api/3/issue/(" + KEY + ")/comment",
                (req, m) -> {
                  JsonNode b = req.json();
                  expect(
                      Set.of("body", "visibility", "properties").containsAll(VendorServer.names(b)),
                      "unknown member");
                  expect(
                      isAdf(b.path("body")), "body must be an Atlassian Document Format document");
                  return new Response(
                      201,
                      "{\"id\":\"10500\",\"body\":"
                          + b.path("body")
                          + ",\"created\":\"2026-11-23T10:00:00.000+0000\",\"author\":{\"displayName\":\"Portcullis\"}}");
                });
    rig =
        PackRig.load(
            dir,
            """
        connectors:
          - name: jira
            type: http
            baseUrl: ${JIRA_URL}
            auth: {type: basic, username: bot@example.com, secret: "env:JIRA_TOKEN"}
        tools:
          - pack: jira-cloud
            connector: jira
            include: [jira.issue_get, jira.issue_search, jira.issue_create, jira.issue_comment_add]
        """,
            Map.of("JIRA_URL", jira.baseUrl(), "JIRA_TOKEN", TOKEN));
  }

  @AfterEach
  void stop() {
    jira.close();
  }

  private static String issue(String key) {
    return """
        {"id":"10007","key":"%s","fields":{"summary":"Printer on fire","status":{"name":"In Progress"},\
        "issuetype":{"name":"Bug"},"priority":{"name":"High"},"assignee":{"displayName":"Ada"},\
        "updated":"2026-11-20T09:12:00.000+0000"}}"""
        .formatted(key);
  }

  /**
   * A minimal check of an Atlassian Document Format document: doc, version 1, typed nodes,
   * non-empty text.
   */
  private static boolean isAdf(JsonNode doc) {
    return doc.path("type").asString("").equals("doc")
        && doc.path("version").asInt(0) == 1
        && doc.path("content").isArray()
        && nodes(doc.path("content"));
  }

  private static boolean nodes(JsonNode content) {
    for (JsonNode n : content) {
      String type = n.path("type").asString("");
      if (type.equals("text")) {
        if (n.path("text").asString("").isEmpty()) {
          return false;
        }
      } else if (type.isEmpty()
          || (n.has("content") && !(n.path("content").isArray() && nodes(n.path("content"))))) {
        return false;
      }
    }
    return true;
  }

  @Test
  void getsAnIssueAskingForThePacksFieldList() {
    JsonNode issue = rig.value("jira.issue_get", "{\"issueIdOrKey\":\"PROJ-7\"}");

    var req = jira.only();
    assertThat(jira.refusals()).isEmpty();
    assertThat(req.method()).isEqualTo("GET");
    assertThat(req.rawPath()).isEqualTo("/rest/api/3/issue/PROJ-7");
    assertThat(req.query())
        .containsExactly(
            Map.entry(
                "fields",
                "summary,status,issuetype,priority,assignee,reporter,created,updated,description,labels"));
    assertThat(issue.path("fields").path("summary").asString()).isEqualTo("Printer on fire");
  }

  @Test
  void searchesOnTheEnhancedJqlEndpointWithFixedFields() {
    JsonNode page =
        rig.value(
            "jira.issue_search",
            "{\"jql\":\"project = PROJ AND status = \\\"In Progress\\\"\",\"maxResults\":5}");

    var req = jira.only();
    assertThat(jira.refusals()).isEmpty();
    assertThat(req.rawPath()).isEqualTo("/rest/api/3/search/jql");
    assertThat(req.query()).isEmpty();
    assertThat(req.json())
        .isEqualTo(
            JSON.readTree(
                """
        {"jql":"project = PROJ AND status = \\"In Progress\\"",
         "fields":["summary","status","issuetype","priority","assignee","updated"],"maxResults":5}"""));
    assertThat(page.path("nextPageToken").asString()).isEqualTo("CAEaAggD");
  }

  @Test
  void createsAnIssueWithItsDescriptionInAtlassianDocumentFormat() {
    JsonNode created =
        rig.value(
            "jira.issue_create",
            "{\"projectKey\":\"PROJ\",\"issueType\":\"Bug\",\"summary\":\"Printer on fire\","
                + "\"description\":\"Third floor.\\nSmoke visible.\"}");

    var req = jira.only();
    assertThat(jira.refusals()).isEmpty();
    assertThat(req.rawPath()).isEqualTo("/rest/api/3/issue");
    assertThat(req.json())
        .isEqualTo(
            JSON.readTree(
                """
        {"fields":{"project":{"key":"PROJ"},"issuetype":{"name":"Bug"},"summary":"Printer on fire",
         "description":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[
           {"type":"text","text":"Third floor.\\nSmoke visible."}]}]}}}"""));
    assertThat(created.path("key").asString()).isEqualTo("PROJ-42");
  }

  @Test
  void addsACommentInAtlassianDocumentFormat() {
    rig.value(
        "jira.issue_comment_add", "{\"issueIdOrKey\":\"10007\",\"text\":\"Fire brigade called.\"}");

    var req = jira.only();
    assertThat(jira.refusals()).isEmpty();
    assertThat(req.rawPath()).isEqualTo("/rest/api/3/issue/10007/comment");
    assertThat(req.json())
        .isEqualTo(
            JSON.readTree(
                """
        {"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[
          {"type":"text","text":"Fire brigade called."}]}]}}"""));
  }

  @Test
  void refusesAnIssueKeyThatIsNotOneBeforeAnyRequest() {
    assertThat(rig.violations("jira.issue_get", "{\"issueIdOrKey\":\"../../myself\"}"))
        .isNotEmpty();
    assertThat(
            rig.violations(
                "jira.issue_create",
                "{\"projectKey\":\"PROJ\",\"issueType\":\"Bug\",\"summary\":\"x\",\"description\":\"y\",\"reporter\":\"me\"}"))
        .singleElement()
        .asString()
        .contains("reporter");
    assertThat(jira.seen()).isEmpty();
  }
}
