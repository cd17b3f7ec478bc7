package dev.portcullis.packs;

import static dev.portcullis.packs.VendorServer.JSON;
import static dev.portcullis.packs.VendorServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.packs.VendorServer.Request;
import dev.portcullis.packs.VendorServer.Response;
import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The salesforce pack against a stand-in for the Salesforce REST API that checks its documented
 * request shapes.
 */
class SalesforcePackTest {
  private static final String TOKEN = "00D5g000004abcd!AQ4AQsalesforce-access-token-for-tests";
  private static final String ACCOUNT = "001Dn00000A1b2cIAB";
  private static final String ID = "[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?";
  private static final Set<String> ACCOUNT_FIELDS =
      Set.of(
          "Name",
          "Industry",
          "Phone",
          "Website",
          "NumberOfEmployees",
          "Type",
          "Description",
          "BillingCity",
          "BillingCountry");

  /**
   * One SELECT with a WHERE on one field equal to one string literal, the way the pack writes its
   * SOQL.
   */
  private static final Pattern SOQL =
      Pattern.compile(
          "SELECT ([A-Za-z]+(?:, [A-Za-z]+)*) FROM ([A-Za-z]+) WHERE ([A-Za-z]+) = '((?:[^'\\\\]|\\\\.)*)'([^'\\\\]*)");

  /** SOQL's quoted string escape sequences. */
  private static final Pattern ESCAPES =
      Pattern.compile("\\\\(?:[nNrRtTbBfF\"'\\\\]|u[0-9a-fA-F]{4})");

  @TempDir Path dir;
  private VendorServer salesforce;
  private PackRig rig;

  @BeforeEach
  void start() {
    salesforce =
        new VendorServer("Bearer " + TOKEN)
            .route(
                "GET",
                "/services/data/v62\\.0/sobjects/Account/(" + ID + ")",
                (req, m) -> {
                  expect(
                      Set.of("fields").containsAll(req.query().keySet()),
                      "unknown query parameter");
                  return new Response(
                      200,
                      """
              {"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/%s"},"Id":"%s",\
              "Name":"Edge Communications","Industry":"Electronics","BillingCity":"Austin"}"""
                          .formatted(m.group(1), m.group(1)));
                })
            .route(
                "GET",
                "/services/data/v62\\.0/query",
                (req, m) -> {
                  expect(req.query().keySet().equals(Set.of("q")), "the query resource takes q");
                  Matcher soql = SOQL.matcher(req.query().get("q"));
                  expect(soql.matches(), "MALFORMED_QUERY: " + req.query().get("q"));
                  expect(
                      ESCAPES.matcher(soql.group(4)).replaceAll("").indexOf('\\') < 0,
                      "MALFORMED_QUERY: invalid escape sequence in a string literal");
                  return new Response(
                      200,
                      """
              {"totalSize":1,"done":true,"records":[{"attributes":{"type":"%s"},"Id":"003Dn00000B2c3dIAC",\
              "LastName":"Rogers"}]}"""
                          .formatted(soql.group(2)));
                })
            .route(
                "PATCH",
                "/services/data/v62\\.0/sobjects/Account/(" + ID + ")",
                (req, m) -> {
                  for (String field : VendorServer.names(req.json())) {
                    expect(
                        ACCOUNT_FIELDS.contains(field),
                        "INVALID_FIELD: No such column '" + field + "' on sobject Account");
                  }
                  return new Response(204, "");
                });
    rig =
        PackRig.load(
            dir,
            """
        connectors:
          - name: salesforce
            type: http
            baseUrl: ${SF_URL}
            auth: {type: bearer, secret: "env:SF_TOKEN"}
        tools:
          - pack: salesforce
            connector: salesforce
            include: [salesforce.account_get, salesforce.account_find_by_name, salesforce.account_contacts,
                      salesforce.account_update]
        """,
            Map.of("SF_URL", salesforce.baseUrl(), "SF_TOKEN", TOKEN));
  }

  @AfterEach
  void stop() {
    salesforce.close();
  }

  @Test
  void getsAnAccountWithAnExplicitFieldList() {
    JsonNode account = rig.value("salesforce.account_get", "{\"id\":\"" + ACCOUNT + "\"}");

    Request req = salesforce.only();
    assertThat(salesforce.refusals()).isEmpty();
    assertThat(req.rawPath()).isEqualTo("/services/data/v62.0/sobjects/Account/" + ACCOUNT);
    assertThat(req.query())
        .containsExactly(
            Map.entry(
                "fields",
                "Id,Name,Industry,Type,Phone,Website,BillingCity,BillingCountry,OwnerId,LastModifiedDate"));
    assertThat(account.path("Name").asString()).isEqualTo("Edge Communications");
  }

  @Test
  void listsAnAccountsContactsWithSoqlWrittenInThePack() {
    rig.value("salesforce.account_contacts", "{\"accountId\":\"" + ACCOUNT + "\"}");

    Request req = salesforce.only();
    assertThat(salesforce.refusals()).isEmpty();
    assertThat(req.rawPath()).isEqualTo("/services/data/v62.0/query");
    assertThat(req.query())
        .containsExactly(
            Map.entry(
                "q",
                "SELECT Id, FirstName, LastName, Title, Email, Phone "
                    + "FROM Contact WHERE AccountId = '"
                    + ACCOUNT
                    + "' ORDER BY LastName LIMIT 200"));
  }

  @Test
  void escapesANameSoItStaysInsideItsSoqlStringLiteral() {
    rig.value("salesforce.account_find_by_name", "{\"name\":\"Bob's \\\\ BBQ' OR Name != '\"}");

    Request req = salesforce.only();
    assertThat(salesforce.refusals()).isEmpty();
    assertThat(req.query().get("q"))
        .isEqualTo(
            "SELECT Id, Name, Industry, BillingCity, BillingCountry FROM Account "
                + "WHERE Name = 'Bob\\'s \\\\ BBQ\\' OR Name != \\'' ORDER BY Name LIMIT 20");
  }

  @Test
  void updatesAnAccountByPatchAndTakesNoContentAsSuccess() {
    JsonNode result =
        rig.value(
            "salesforce.account_update",
            "{\"id\":\"" + ACCOUNT + "\",\"industry\":\"Energy\",\"numberOfEmployees\":1200}");

    Request req = salesforce.only();
    assertThat(salesforce.refusals()).isEmpty();
    assertThat(req.method()).isEqualTo("PATCH");
    assertThat(req.rawPath()).isEqualTo("/services/data/v62.0/sobjects/Account/" + ACCOUNT);
    assertThat(req.json())
        .isEqualTo(JSON.readTree("{\"Industry\":\"Energy\",\"NumberOfEmployees\":1200}"));
    assertThat(result.isEmpty()).isTrue();
  }

  @Test
  void soqlInjectionInAnIdIsRefusedByTheSchemaBeforeAnyRequest() {
    String injected = "{\"accountId\":\"001Dn00000A1b2c' OR Name != '\"}";
    assertThat(rig.violations("salesforce.account_contacts", injected)).isNotEmpty();
    assertThat(
            rig.violations(
                "salesforce.account_update", "{\"id\":\"001Dn00000A1b2c%27\",\"name\":\"x\"}"))
        .isNotEmpty();

    try (GatewayFixture gateway =
        GatewayFixture.start(
            dir.resolve("data"),
            Path.of("src/test/resources/config/packs-gateway.yaml"),
            Map.of("SF_URL", salesforce.baseUrl(), "SF_TOKEN", TOKEN))) {
      HttpResponse<String> refused =
          gateway.invoke(
              "salesforce.account_contacts",
              GatewayFixture.SUPPORT_KEY,
              "{\"arguments\":" + injected + "}");
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
      assertThat(salesforce.seen()).isEmpty();

      HttpResponse<String> allowed =
          gateway.invoke(
              "salesforce.account_contacts",
              GatewayFixture.SUPPORT_KEY,
              "{\"arguments\":{\"accountId\":\"" + ACCOUNT + "\"}}");
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
      assertThat(salesforce.only().query().get("q"))
          .endsWith("WHERE AccountId = '" + ACCOUNT + "' ORDER BY LastName LIMIT 200");
    }
  }
}
