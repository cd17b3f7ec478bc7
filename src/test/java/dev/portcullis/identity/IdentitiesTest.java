package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.UserRef;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who a credential proves, and who may approve, against tokens from a real OIDC server
 * (mock-oauth2-server): the identity classes alone, without a gateway around them.
 */
class IdentitiesTest {
  private static final String SUPPORT_KEY = "pcl_support-key";
  private static final String OPERATOR_KEY = "pcl_operator-key";

  /** The audience of operator tokens: never one of the issuers' own (agents' and users' tokens). */
  private static final String OPERATOR_AUDIENCE = "portcullis-operators";

  private static final Map<String, Set<String>> OPERATOR_AUDIENCES =
      Map.of(
          "staff",
          Set.of(OPERATOR_AUDIENCE),
          "agents",
          Set.of(OPERATOR_AUDIENCE),
          "users",
          Set.of(OPERATOR_AUDIENCE));

  static MockOAuth2Server idp;
  // Built for each test, not once: a mutation test attributes only what a test itself runs to it.
  Identities identities;
  Approvers approvers;

  static IssuerSpec issuer(
      String name,
      Optional<String> tenant,
      String clientClaim,
      String userClaim,
      String rolesClaim) {
    return new IssuerSpec(
        name,
        idp.issuerUrl(name).toString(),
        Optional.of(URI.create(idp.jwksUrl(name).toString())),
        List.of("portcullis"),
        List.of("RS256"),
        Duration.ofSeconds(60),
        tenant,
        "tenant",
        clientClaim,
        userClaim,
        rolesClaim,
        "groups");
  }

  @BeforeAll
  static void start() {
    idp = new MockOAuth2Server();
    idp.start();
  }

  @BeforeEach
  void configure() {
    List<IssuerSpec> issuers =
        List.of(
            issuer("agents", Optional.empty(), IssuerSpec.DEFAULT_CLIENT_CLAIM, "sub", "roles"),
            issuer("users", Optional.empty(), IssuerSpec.DEFAULT_CLIENT_CLAIM, "sub", "roles"),
            issuer("staff", Optional.of("acme"), "cid", "email", "realm.roles"));
    List<AgentSpec> agents =
        List.of(
            new AgentSpec(
                "support",
                "acme",
                "support bot",
                List.of(ApiKeys.hash(SUPPORT_KEY)),
                Optional.of(new AgentSpec.OAuthClient("agents", "support-client"))),
            new AgentSpec(
                "billing",
                "acme",
                "billing bot",
                List.of(),
                Optional.of(new AgentSpec.OAuthClient("staff", "billing-client"))));
    identities = new Identities(agents, issuers, new TokenVerifier(issuers, Clock.systemUTC()));
    approvers =
        new Approvers(
            List.of(
                new ApproverSpec.Keyed(
                    "ops-1", List.of(ApiKeys.hash(OPERATOR_KEY)), List.of("acme")),
                new ApproverSpec.ByRole("staff", "approver", OPERATOR_AUDIENCE, List.of("acme"))),
            identities);
  }

  @AfterAll
  static void stop() {
    idp.shutdown();
  }

  /** A token whose {@code azp} is {@code unused}: the mock server always sets one. */
  private static String token(String issuer, String subject, Map<String, Object> claims) {
    return token(issuer, "unused", subject, claims);
  }

  private static String token(
      String issuer, String azp, String subject, Map<String, Object> claims) {
    return idp.issueToken(
            issuer,
            azp,
            new DefaultOAuth2TokenCallback(
                issuer, subject, "JWT", List.of("portcullis"), claims, 600))
        .serialize();
  }

  /** An operator token: issued for {@link #OPERATOR_AUDIENCE} only. */
  private static String operatorToken(String issuer, String subject, Map<String, Object> claims) {
    return operatorToken(issuer, "unused", subject, claims);
  }

  private static String operatorToken(
      String issuer, String azp, String subject, Map<String, Object> claims) {
    return idp.issueToken(
            issuer,
            azp,
            new DefaultOAuth2TokenCallback(
                issuer, subject, "JWT", List.of(OPERATOR_AUDIENCE), claims, 600))
        .serialize();
  }

  private static IdentityException refusal(ThrowingCall call) {
    return catchThrowableOfType(IdentityException.class, call::run);
  }

  @FunctionalInterface
  interface ThrowingCall {
    void run() throws Exception;
  }

  private static final AgentRef SUPPORT = new AgentRef("support", "acme", null);

  // ---- agents

  @Test
  void anAgentsApiKeyProvesThatAgent() throws Exception {
    assertThat(identities.authenticateAgent(SUPPORT_KEY)).isEqualTo(SUPPORT);
  }

  @Test
  void anUnknownApiKeyIsRefused() {
    IdentityException e = refusal(() -> identities.authenticateAgent("pcl_guess"));

    assertThat(e.kind()).isEqualTo(IdentityException.Kind.INVALID_AGENT_CREDENTIAL);
    assertThat(e.getMessage()).isEqualTo("the API key is not valid");
  }

  @Test
  void noCredentialOrABlankOneIsMissing() {
    for (String none : new String[] {null, "", "   "}) {
      IdentityException e = refusal(() -> identities.authenticateAgent(none));

      assertThat(e.kind()).isEqualTo(IdentityException.Kind.MISSING);
      assertThat(e.getMessage()).isEqualTo("no agent credential was presented");
    }
  }

  @Test
  void aCredentialLongerThanSixteenKibibytesIsRefusedUnread() {
    IdentityException tooLong = refusal(() -> identities.authenticateAgent("k".repeat(16_385)));
    IdentityException atTheLimit = refusal(() -> identities.authenticateAgent("k".repeat(16_384)));

    assertThat(tooLong.kind()).isEqualTo(IdentityException.Kind.INVALID_AGENT_CREDENTIAL);
    assertThat(tooLong.getMessage()).isEqualTo("the credential is too long");
    assertThat(atTheLimit.getMessage()).isEqualTo("the API key is not valid");
  }

  @Test
  void aClientCredentialsTokenProvesTheAgentRegisteredForItsClient() throws Exception {
    String byClientId = token("agents", "someone", Map.of("client_id", "support-client"));
    String byAzp = token("agents", "support-client", "someone", Map.of());

    assertThat(identities.authenticateAgent(byClientId)).isEqualTo(SUPPORT);
    assertThat(identities.authenticateAgent(byAzp)).isEqualTo(SUPPORT);
  }

  @Test
  void theClientIdClaimWinsOverAzp() {
    String token =
        token("agents", "support-client", "support-client", Map.of("client_id", "other-client"));

    IdentityException e = refusal(() -> identities.authenticateAgent(token));

    assertThat(e.kind()).isEqualTo(IdentityException.Kind.AGENT_NOT_REGISTERED);
    assertThat(e.getMessage())
        .isEqualTo("the token is valid but names no agent registered with this gateway");
  }

  @Test
  void anIssuersConfiguredClientClaimIsTheOnlyOneRead() throws Exception {
    String byCid = token("staff", "someone", Map.of("cid", "billing-client"));
    String byAzpOnly = token("staff", "billing-client", "billing-client", Map.of());

    assertThat(identities.authenticateAgent(byCid))
        .isEqualTo(new AgentRef("billing", "acme", null));
    assertThat(refusal(() -> identities.authenticateAgent(byAzpOnly)).kind())
        .isEqualTo(IdentityException.Kind.AGENT_NOT_REGISTERED);
  }

  @Test
  void aClientIsRegisteredWithOneIssuerOnly() {
    // support-client is an agent of the "agents" issuer; the same client name from "users" is
    // nobody.
    String token = token("users", "someone", Map.of("client_id", "support-client"));

    assertThat(refusal(() -> identities.authenticateAgent(token)).kind())
        .isEqualTo(IdentityException.Kind.AGENT_NOT_REGISTERED);
  }

  @Test
  void anInvalidAgentTokenIsAnInvalidCredential() {
    String token = token("agents", "someone", Map.of("client_id", "support-client"));
    String tampered = token.substring(0, token.length() - 4) + "AAAA";

    assertThat(refusal(() -> identities.authenticateAgent(tampered)).kind())
        .isEqualTo(IdentityException.Kind.INVALID_AGENT_CREDENTIAL);
  }

  @Test
  void agentIssuersAreTheUrlsOfTheIssuersAgentsUse() {
    assertThat(identities.agentIssuers())
        .containsExactly(idp.issuerUrl("agents").toString(), idp.issuerUrl("staff").toString());
  }

  @Test
  void oneKeyForTwoAgentsIsRefusedAtLoad() {
    List<AgentSpec> agents =
        List.of(
            new AgentSpec("a", "acme", "", List.of(ApiKeys.hash("k")), Optional.empty()),
            new AgentSpec("b", "acme", "", List.of(ApiKeys.hash("k")), Optional.empty()));

    assertThatThrownBy(
            () ->
                new Identities(agents, List.of(), new TokenVerifier(List.of(), Clock.systemUTC())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an API key hash is configured for two agents");
  }

  @Test
  void oneOAuthClientForTwoAgentsIsRefusedAtLoad() {
    AgentSpec.OAuthClient client = new AgentSpec.OAuthClient("agents", "c");
    List<AgentSpec> agents =
        List.of(
            new AgentSpec("a", "acme", "", List.of(), Optional.of(client)),
            new AgentSpec("b", "acme", "", List.of(), Optional.of(client)));

    assertThatThrownBy(
            () ->
                new Identities(agents, List.of(), new TokenVerifier(List.of(), Clock.systemUTC())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("OAuth client c is configured for two agents");
  }

  // ---- delegating users

  @Test
  void aUserTokenProvesAVerifiedUserWithRolesAndGroups() throws Exception {
    String token =
        token(
            "users",
            "alice",
            Map.of(
                "tenant", "acme", "roles", List.of("finance", "support"), "groups", "emea apac"));

    UserRef user = identities.authenticateUser(token, SUPPORT);

    assertThat(user)
        .isEqualTo(
            new UserRef(
                "alice", "acme", Set.of("finance", "support"), Set.of("emea", "apac"), true));
  }

  @Test
  void rolesMayComeFromADottedPathIntoTheClaims() throws Exception {
    String token =
        token(
            "staff",
            "x",
            Map.of("email", "bob@acme.example", "realm", Map.of("roles", List.of("approver"))));

    UserRef user = identities.authenticateUser(token, SUPPORT);

    assertThat(user.id()).isEqualTo("bob@acme.example");
    assertThat(user.tenant()).as("the issuer's fixed tenant").isEqualTo("acme");
    assertThat(user.roles()).containsExactly("approver");
    assertThat(user.groups()).isEmpty();
  }

  @Test
  void aUserOfAnotherTenantOrOfNoneIsAMismatch() {
    String other = token("users", "alice", Map.of("tenant", "globex"));
    String none = token("users", "alice", Map.of());

    for (String token : List.of(other, none)) {
      IdentityException e = refusal(() -> identities.authenticateUser(token, SUPPORT));

      assertThat(e.kind()).isEqualTo(IdentityException.Kind.TENANT_MISMATCH);
      assertThat(e.getMessage()).isEqualTo("the user does not belong to the agent's tenant");
    }
  }

  @Test
  void aUserTokenNamingNobodyIsRefused() {
    String noEmail = token("staff", "x", Map.of());
    String blankEmail = token("staff", "x", Map.of("email", " "));

    for (String token : List.of(noEmail, blankEmail)) {
      IdentityException e = refusal(() -> identities.authenticateUser(token, SUPPORT));

      assertThat(e.kind()).isEqualTo(IdentityException.Kind.INVALID_USER_TOKEN);
      assertThat(e.getMessage()).isEqualTo("the user token has no 'email' claim naming the user");
    }
  }

  @Test
  void aUserTokenThatIsNoJwtOrTooLongIsRefusedUnverified() {
    String valid = token("users", "alice", Map.of("tenant", "acme"));
    for (String bad : List.of("pcl_not-a-jwt", valid + "x".repeat(16_385 - valid.length()))) {
      IdentityException e = refusal(() -> identities.authenticateUser(bad, SUPPORT));

      assertThat(e.kind()).isEqualTo(IdentityException.Kind.INVALID_USER_TOKEN);
      assertThat(e.getMessage()).isEqualTo("the user token is not a JWT");
    }
  }

  @Test
  void anInvalidUserTokenIsAnInvalidUserToken() {
    String token = token("users", "alice", Map.of("tenant", "acme"));
    String tampered = token.substring(0, token.length() - 4) + "AAAA";

    assertThat(refusal(() -> identities.authenticateUser(tampered, SUPPORT)).kind())
        .isEqualTo(IdentityException.Kind.INVALID_USER_TOKEN);
  }

  // ---- people (approvers signing in)

  @Test
  void aPersonIsNamedByTheIssuersUserClaimWithTheirRoles() throws Exception {
    String token =
        operatorToken(
            "staff",
            "x",
            Map.of("email", "carol@acme.example", "realm", Map.of("roles", List.of("approver"))));

    assertThat(identities.authenticatePerson(token, OPERATOR_AUDIENCES))
        .isEqualTo(
            new Identities.Person(
                "staff",
                "carol@acme.example",
                Set.of("approver"),
                "acme",
                Set.of(OPERATOR_AUDIENCE)));
  }

  @Test
  void anAgentsTokenIsNeverAPerson() {
    String token = operatorToken("agents", "support-client", Map.of("client_id", "support-client"));

    IdentityException e = refusal(() -> identities.authenticatePerson(token, OPERATOR_AUDIENCES));

    assertThat(e.kind()).isEqualTo(IdentityException.Kind.INVALID_USER_TOKEN);
    assertThat(e.getMessage()).isEqualTo("this is an agent's token, not a person's");
  }

  @Test
  void aPersonTokenNamingNobodyOrNoJwtIsRefused() {
    IdentityException nobody =
        refusal(
            () ->
                identities.authenticatePerson(
                    operatorToken("staff", "x", Map.of()), OPERATOR_AUDIENCES));
    IdentityException noJwt =
        refusal(() -> identities.authenticatePerson("pcl_key", OPERATOR_AUDIENCES));
    IdentityException tooLong =
        refusal(
            () -> identities.authenticatePerson("a.b." + "c".repeat(16_381), OPERATOR_AUDIENCES));

    assertThat(nobody.getMessage()).isEqualTo("the token has no 'email' claim naming the person");
    assertThat(noJwt.getMessage()).isEqualTo("the token is not a JWT");
    assertThat(tooLong.getMessage()).isEqualTo("the token is not a JWT");
  }

  // ---- approvers

  @Test
  void anOperatorsKeyProvesThatApprover() {
    assertThat(approvers.authenticate(OPERATOR_KEY).map(OperatorRef::id)).contains("ops-1");
    assertThat(approvers.authenticate(SUPPORT_KEY)).as("an agent's key").isEmpty();
    assertThat(approvers.authenticate(null)).isEmpty();
    assertThat(approvers.authenticate(" ")).isEmpty();
  }

  @Test
  void aPersonWithTheApproverRoleAtTheConfiguredIssuerApproves() {
    String approver =
        operatorToken(
            "staff",
            "x",
            Map.of("email", "carol@acme.example", "realm", Map.of("roles", List.of("approver"))));
    String withoutRole =
        operatorToken(
            "staff",
            "x",
            Map.of("email", "dave@acme.example", "realm", Map.of("roles", List.of("viewer"))));
    String otherIssuer = operatorToken("users", "erin", Map.of("roles", List.of("approver")));
    String agent =
        operatorToken(
            "staff",
            "x",
            Map.of(
                "cid",
                "billing-client",
                "email",
                "bot@acme.example",
                "realm",
                Map.of("roles", List.of("approver"))));

    assertThat(approvers.authenticate(approver).map(OperatorRef::id))
        .contains("carol@acme.example");
    assertThat(approvers.authenticate(withoutRole)).isEmpty();
    assertThat(approvers.authenticate(otherIssuer)).isEmpty();
    assertThat(approvers.authenticate(agent)).as("an agent's token").isEmpty();
    assertThat(approvers.authenticate(approver.substring(0, approver.length() - 4) + "AAAA"))
        .isEmpty();
  }

  @Test
  void withoutApproversByRoleNoTokenApproves() {
    Approvers keyed =
        new Approvers(
            List.of(
                new ApproverSpec.Keyed(
                    "ops-1", List.of(ApiKeys.hash(OPERATOR_KEY)), List.of("acme"))),
            identities);
    String approver =
        operatorToken(
            "staff",
            "x",
            Map.of("email", "carol@acme.example", "realm", Map.of("roles", List.of("approver"))));

    assertThat(keyed.authenticate(approver)).isEmpty();
    assertThat(keyed.authenticate(OPERATOR_KEY).map(OperatorRef::id)).contains("ops-1");
  }

  @Test
  void approversByRoleNeedIdentities() {
    assertThatThrownBy(
            () ->
                new Approvers(
                    List.of(
                        new ApproverSpec.ByRole(
                            "staff", "approver", OPERATOR_AUDIENCE, List.of("acme"))),
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("approvers by role need the identities that verify their tokens");
  }

  @Test
  void aUserOrPersonTokenOfExactlySixteenKibibytesIsStillRead() {
    String atTheLimit = "a.b." + "c".repeat(16_380);

    assertThat(refusal(() -> identities.authenticateUser(atTheLimit, SUPPORT)).getMessage())
        .isEqualTo("the token is not a well-formed JWT");
    assertThat(
            refusal(() -> identities.authenticatePerson(atTheLimit, OPERATOR_AUDIENCES))
                .getMessage())
        .isEqualTo("the token is not a well-formed JWT");
  }

  @Test
  void aPersonsTokenFromAnIssuerAgentsAlsoUseIsAPersonsUnlessItsClientIsAnAgent() throws Exception {
    String person =
        operatorToken("agents", "web-app", "frank", Map.of("roles", List.of("approver")));

    assertThat(identities.authenticatePerson(person, OPERATOR_AUDIENCES))
        .isEqualTo(
            new Identities.Person(
                "agents", "frank", Set.of("approver"), null, Set.of(OPERATOR_AUDIENCE)));
  }

  @Test
  void aPersonTokenWithABlankUserClaimNamesNobody() {
    String blank = operatorToken("staff", "x", Map.of("email", " "));

    assertThat(refusal(() -> identities.authenticatePerson(blank, OPERATOR_AUDIENCES)).getMessage())
        .isEqualTo("the token has no 'email' claim naming the person");
  }

  @Test
  void aClaimWhoseNameHoldsADotIsReadAsNamedBeforeAsAPath() throws Exception {
    String token =
        operatorToken(
            "staff", "x", Map.of("email", "gina@acme.example", "realm.roles", List.of("approver")));

    assertThat(identities.authenticatePerson(token, OPERATOR_AUDIENCES).roles())
        .containsExactly("approver");
  }

  @Test
  void aDottedPathThroughAClaimThatIsNoObjectGivesNoRoles() throws Exception {
    String token =
        operatorToken("staff", "x", Map.of("email", "hank@acme.example", "realm", "approver"));

    assertThat(identities.authenticatePerson(token, OPERATOR_AUDIENCES).roles()).isEmpty();
  }

  @Test
  void approversByKeyNeedNoIdentitiesAndNeverReadATokenWithoutApproversByRole() {
    Approvers keyedOnly =
        new Approvers(
            List.of(
                new ApproverSpec.Keyed(
                    "ops-1", List.of(ApiKeys.hash(OPERATOR_KEY)), List.of("acme"))),
            null);
    String approver =
        operatorToken(
            "staff",
            "x",
            Map.of("email", "carol@acme.example", "realm", Map.of("roles", List.of("approver"))));

    assertThat(keyedOnly.authenticate(OPERATOR_KEY).map(OperatorRef::id)).contains("ops-1");
    assertThat(keyedOnly.authenticate(approver)).isEmpty();
  }

  @Test
  void anAgentsOwnTokenIsNeverItsDelegatingUsers() {
    // A client-credentials token names its client in sub; here the registered agent's client.
    String token = token("agents", "support-client", Map.of("tenant", "acme"));

    IdentityException e = refusal(() -> identities.authenticateUser(token, SUPPORT));

    assertThat(e.kind()).isEqualTo(IdentityException.Kind.INVALID_USER_TOKEN);
    assertThat(e.getMessage())
        .isEqualTo(
            "this is an agent's token, not a person's: send the token of the user the agent acts for");
  }

  @Test
  void aTokenWithoutItsIssuersClientClaimIsNoAgentNotEvenOneWhoseClientIsCalledNull()
      throws Exception {
    List<IssuerSpec> issuers =
        List.of(issuer("staff", Optional.of("acme"), "cid", "email", "realm.roles"));
    Identities withNullClient =
        new Identities(
            List.of(
                new AgentSpec(
                    "odd",
                    "acme",
                    "",
                    List.of(),
                    Optional.of(new AgentSpec.OAuthClient("staff", "null")))),
            issuers,
            new TokenVerifier(issuers, Clock.systemUTC()));
    String noClient = token("staff", "x", Map.of("email", "ivy@acme.example"));
    String person = operatorToken("staff", "x", Map.of("email", "ivy@acme.example"));

    assertThat(refusal(() -> withNullClient.authenticateAgent(noClient)).kind())
        .isEqualTo(IdentityException.Kind.AGENT_NOT_REGISTERED);
    assertThat(withNullClient.authenticatePerson(person, OPERATOR_AUDIENCES).id())
        .isEqualTo("ivy@acme.example");
    assertThat(withNullClient.isDelegationToken(noClient)).isTrue();
  }

  @Test
  void aDelegationTokenIsAValidUserTokenForAgentsCallsAndNoAgentsOwn() {
    String user = token("users", "alice", Map.of("tenant", "acme"));
    String withoutClient = token("staff", "x", Map.of("email", "ivy@acme.example"));
    String agents = token("agents", "someone", Map.of("client_id", "support-client"));
    String operator = operatorToken("staff", "x", Map.of("email", "carol@acme.example"));

    assertThat(identities.isDelegationToken(user)).isTrue();
    assertThat(identities.isDelegationToken(withoutClient)).isTrue();
    assertThat(identities.isDelegationToken(agents)).as("an agent's own token").isFalse();
    assertThat(identities.isDelegationToken(operator)).as("an operator token").isFalse();
    assertThat(identities.isDelegationToken(user.substring(0, user.length() - 4) + "AAAA"))
        .isFalse();
    assertThat(identities.isDelegationToken(null)).isFalse();
    assertThat(identities.isDelegationToken("pcl_key")).isFalse();
  }

  @Test
  void aDelegationTokenIsReadUpToSixteenKibibytesAndNoFurther() {
    String atTheLimit = paddedTo(16_384);
    String over = paddedTo(16_385);

    assertThat(atTheLimit).hasSize(16_384);
    assertThat(identities.isDelegationToken(atTheLimit)).isTrue();
    assertThat(over).hasSize(16_385);
    assertThat(identities.isDelegationToken(over)).isFalse();
  }

  /**
   * A valid user token of exactly {@code length} characters, padded by a claim. Base64url never
   * encodes to a length of 4k+1, so the issuer (whose name is the header's key id) varies too.
   */
  private static String paddedTo(int length) {
    for (String issuer : List.of("users", "agents")) {
      int unpadded = userToken(issuer, 0).length();
      for (int pad = (length - unpadded) * 3 / 4 - 8;
          pad < (length - unpadded) * 3 / 4 + 8;
          pad++) {
        String t = userToken(issuer, pad);
        if (t.length() == length) {
          return t;
        }
      }
    }
    throw new AssertionError("no token of " + length + " characters");
  }

  private static String userToken(String issuer, int pad) {
    return idp.issueToken(
            issuer,
            "unused",
            new DefaultOAuth2TokenCallback(
                issuer,
                "alice",
                "JWT",
                List.of("portcullis"),
                Map.of("tenant", "acme", "pad", "p".repeat(pad)),
                600))
        .serialize();
  }

  @Test
  void anOperatorTokenNamingATenantNarrowsTheApproverToIt() {
    Approvers twoTenants =
        new Approvers(
            List.of(
                new ApproverSpec.ByRole(
                    "users", "approver", OPERATOR_AUDIENCE, List.of("acme", "globex"))),
            identities);
    String forGlobex =
        operatorToken("users", "judy", Map.of("roles", List.of("approver"), "tenant", "globex"));
    String forNone = operatorToken("users", "judy", Map.of("roles", List.of("approver")));
    String forAnother =
        operatorToken("users", "judy", Map.of("roles", List.of("approver"), "tenant", "initech"));

    assertThat(twoTenants.authenticate(forGlobex))
        .contains(new OperatorRef("judy", Set.of("globex")));
    assertThat(twoTenants.authenticate(forNone))
        .contains(new OperatorRef("judy", Set.of("acme", "globex")));
    assertThat(twoTenants.authenticate(forAnother)).isEmpty();
  }

  @Test
  void anApproverRoleCountsOnlyForTheAudienceItsTokenWasIssuedFor() {
    Approvers twoAudiences =
        new Approvers(
            List.of(
                new ApproverSpec.ByRole("users", "approver", "ops-acme", List.of("acme")),
                new ApproverSpec.ByRole("users", "approver", "ops-globex", List.of("globex"))),
            identities);
    String forAcme =
        idp.issueToken(
                "users",
                "unused",
                new DefaultOAuth2TokenCallback(
                    "users",
                    "kim",
                    "JWT",
                    List.of("ops-acme"),
                    Map.of("roles", List.of("approver")),
                    600))
            .serialize();

    assertThat(twoAudiences.authenticate(forAcme)).contains(new OperatorRef("kim", Set.of("acme")));
  }

  @Test
  void anOperatorTokenIsRefusedForAnIssuerWithoutOperatorsForAgentsAudienceOrForAnotherAudience() {
    String token = operatorToken("staff", "x", Map.of("email", "carol@acme.example"));
    String alsoForAgents =
        idp.issueToken(
                "staff",
                "unused",
                new DefaultOAuth2TokenCallback(
                    "staff",
                    "x",
                    "JWT",
                    List.of(OPERATOR_AUDIENCE, "portcullis"),
                    Map.of("email", "carol@acme.example"),
                    600))
            .serialize();
    String forSomeoneElse =
        idp.issueToken(
                "staff",
                "unused",
                new DefaultOAuth2TokenCallback(
                    "staff",
                    "x",
                    "JWT",
                    List.of("crm"),
                    Map.of("email", "carol@acme.example"),
                    600))
            .serialize();

    IdentityException noOperators =
        refusal(() -> identities.authenticatePerson(token, Map.of("users", Set.of("ops"))));
    IdentityException delegation =
        refusal(() -> identities.authenticatePerson(alsoForAgents, OPERATOR_AUDIENCES));
    IdentityException elsewhere =
        refusal(() -> identities.authenticatePerson(forSomeoneElse, OPERATOR_AUDIENCES));

    assertThat(noOperators.kind()).isEqualTo(IdentityException.Kind.INVALID_USER_TOKEN);
    assertThat(noOperators.getMessage())
        .isEqualTo("the token's issuer signs no operator tokens for this gateway");
    assertThat(delegation.kind()).isEqualTo(IdentityException.Kind.DELEGATION_TOKEN);
    assertThat(delegation.getMessage())
        .isEqualTo(
            "the token is for agents' calls (audience portcullis): it can prove"
                + " the user an agent acts for, never an operator");
    assertThat(elsewhere.kind()).isEqualTo(IdentityException.Kind.INVALID_USER_TOKEN);
    assertThat(elsewhere.getMessage())
        .isEqualTo(
            "the token is not for this gateway's operator API (audience portcullis-operators)");
  }

  // ---- keys

  @Test
  void aKeyIsStoredAsTheHexSha256OfItsUtf8Bytes() {
    assertThat(ApiKeys.hash("abc"))
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(ApiKeys.STORED_FORM.matcher(ApiKeys.hash("abc")).matches()).isTrue();
  }

  @Test
  void generatedKeysCarryThePrefixAnd256RandomBits() {
    String a = ApiKeys.generate();
    String b = ApiKeys.generate();

    assertThat(a).startsWith(ApiKeys.PREFIX).hasSize(ApiKeys.PREFIX.length() + 43).isNotEqualTo(b);
    assertThat(a.substring(ApiKeys.PREFIX.length())).matches("[A-Za-z0-9_-]{43}");
  }
}
