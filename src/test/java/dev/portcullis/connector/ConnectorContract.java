package dev.portcullis.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.LogCapture;
import dev.portcullis.testing.SecretForms;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * What every connector must do, whatever it talks to: the {@link Connector} port's contract. Each
 * adapter runs it through a thin subclass that owns a real upstream (an HTTP server, a database…)
 * and builds the connector; docs/design.md ("Connector contract") says how to add one.
 *
 * <p>The subclass builds, in {@link #newConnector}, a connector named {@link #CONNECTOR} with
 * operations for {@link #TOOL} and {@link #OTHER_TOOL}. Each takes one string argument, {@code id}
 * (or what {@link #arguments} makes of it), and answers a JSON value that contains it (or whose
 * {@link #answered} part does); the upstream knows the ids {@code id(0)} to {@code
 * id(CONCURRENT_CALLS - 1)}. The connector's credential is {@link #SECRET_REF}, resolved through
 * the resolver the contract hands over (our own vault port, so the contract controls the value, its
 * availability and its scopes).
 *
 * <p>What an adapter or its fixture cannot do is declared in {@link #capabilities()}, and the tests
 * that need it are skipped, never faked.
 *
 * <p>Every result a test sees is checked for the secret value (the value, the detail and the
 * credential use), and every test's log output is checked for it after the test.
 */
public abstract class ConnectorContract {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectorContract.class);

  protected static final String CONNECTOR = "crm";
  protected static final String TOOL = "crm_lookup";
  protected static final String OTHER_TOOL = "crm_lookup_other";
  protected static final SecretRef SECRET_REF = new SecretRef("vault", "crm-credential");

  /** The credential's value: it must never come back out of the connector. */
  protected static final String SECRET = "Zq7-contract-credential-4b1e9d0c";

  protected static final int SECRET_VERSION = 3;

  /**
   * An older version of the credential, still live in the vault (not revoked): masked like the
   * newest.
   */
  protected static final String OLDER_SECRET = "Yx3~older?contract>credential-9f8e";

  protected static final int CONCURRENT_CALLS = 16;

  /** What an adapter, or the fixture in front of its upstream, can do; the rest is skipped. */
  protected enum Capability {
    /** The upstream can be made to put the credential it received into its answers and errors. */
    ECHOES_CREDENTIAL,
    /** The fixture can count the requests that reached the upstream. */
    COUNTS_REQUESTS,
    /**
     * The credential is resolved on every call for the calling tool ({@link SecretUse#tool}), so a
     * secret scoped to one tool serves that tool. Without it the credential is connection-wide
     * ({@link SecretUse#connector}, e.g. a database pool's password) and needs a connector scope.
     */
    CREDENTIAL_PER_TOOL
  }

  private final Secrets secrets = new Secrets();
  private final List<Connector> built = new ArrayList<>();
  private Connector connector;
  private LogCapture logs;
  private String marker;

  /**
   * A new connector as described in the class comment, resolving its credential through {@code
   * secrets}. Called at most once per test, after any {@code makeUpstream…} call.
   */
  protected abstract Connector newConnector(SecretResolver secrets) throws Exception;

  protected abstract Set<Capability> capabilities();

  /**
   * From now on the upstream answers every request with an error of its own kind (an HTTP 5xx, a
   * failing SQL statement…).
   */
  protected abstract void makeUpstreamFail() throws Exception;

  /** The connector built next finds nothing listening where it connects. */
  protected abstract void makeUpstreamUnreachable() throws Exception;

  /**
   * From now on the upstream puts the credential it received into every answer, errors included;
   * where it can, also {@link #OLDER_SECRET}, and both in each form of {@link SecretForms} (JSON
   * escaped, URL-encoded, base64, case-changed). Only with {@link Capability#ECHOES_CREDENTIAL}.
   */
  protected void makeUpstreamEchoTheCredential() throws Exception {
    throw new UnsupportedOperationException("declare ECHOES_CREDENTIAL and implement this");
  }

  /**
   * How many requests reached the upstream so far. Only with {@link Capability#COUNTS_REQUESTS}.
   */
  protected long requestsReceived() {
    throw new UnsupportedOperationException("declare COUNTS_REQUESTS and implement this");
  }

  /**
   * The arguments of a call for {@code id}: by default {@code {"id": id}}. An adapter whose
   * operations take other arguments (a chat message, a mail) says where the id goes.
   */
  protected String arguments(String id) {
    return "{\"id\":\"" + id + "\"}";
  }

  /**
   * What in a successful answer must name the call's id, and no other: by default the whole value.
   * An adapter whose answer is a receipt (a message timestamp, a Message-ID) looks up what the
   * upstream recorded under it.
   */
  protected String answered(JsonNode value) throws Exception {
    return value.toString();
  }

  /**
   * The id the upstream knows as number {@code n}: {@code c-00}, {@code c-01}… (none is a prefix of
   * another).
   */
  protected static String id(int n) {
    return String.format(Locale.ROOT, "c-%02d", n);
  }

  @BeforeEach
  void captureLogs(TestInfo test) {
    logs = LogCapture.start();
    marker = "connector contract: " + getClass().getSimpleName() + "." + test.getDisplayName();
    LOG.info("{} starts", marker);
  }

  @AfterEach
  void closeConnectorsAndCheckLogs() {
    try {
      built.forEach(Connector::close);
      String text = logs.text();
      assertThat(text).as("the log capture works").contains(marker);
      assertThat(text).as("the credential never reaches the log").doesNotContain(SECRET);
      SecretForms.assertNoCopyIn(text, SECRET);
      SecretForms.assertNoCopyIn(text, OLDER_SECRET);
    } finally {
      logs.close();
    }
  }

  private Connector connector() throws Exception {
    if (connector == null) {
      connector = newConnector(secrets);
      built.add(connector);
    }
    return connector;
  }

  /**
   * Invokes {@code tool} for {@code id}; the result, whatever it is, never holds the credential.
   */
  private ConnectorResult invoke(String tool, String id) throws Exception {
    ConnectorResult result =
        connector().invoke(Invocations.call("agent-contract", tool, arguments(id)));
    assertThat(result).as("a connector answers with a result, never null").isNotNull();
    assertThat(result.toString()).as("no result holds the credential").doesNotContain(SECRET);
    SecretForms.assertNoCopyIn(result.toString(), SECRET);
    SecretForms.assertNoCopyIn(result.toString(), OLDER_SECRET);
    return result;
  }

  private static ConnectorResult.Success success(ConnectorResult result) {
    assertThat(result).isInstanceOf(ConnectorResult.Success.class);
    return (ConnectorResult.Success) result;
  }

  private static ConnectorResult.Failure failure(ConnectorResult result) {
    assertThat(result).isInstanceOf(ConnectorResult.Failure.class);
    return (ConnectorResult.Failure) result;
  }

  private boolean can(Capability c) {
    return capabilities().contains(c);
  }

  private SecretUse expectedUse(String tool) {
    return can(Capability.CREDENTIAL_PER_TOOL)
        ? SecretUse.tool(CONNECTOR, tool)
        : SecretUse.connector(CONNECTOR);
  }

  @Test
  void aCallAnswersJsonAndNamesTheCredentialItUsed() throws Exception {
    ConnectorResult.Success s = success(invoke(TOOL, id(1)));

    assertThat(connector().name()).isEqualTo(CONNECTOR);
    assertThat(s.value()).as("a JSON value").isNotNull();
    assertThat(answered(s.value())).contains(id(1));
    assertThat(s.credential())
        .as("the reference and version, never the value")
        .isEqualTo(new CredentialUse(SECRET_REF.toString(), SECRET_VERSION, false));
    if (can(Capability.COUNTS_REQUESTS)) {
      assertThat(requestsReceived()).isEqualTo(1);
    }
  }

  @Test
  void asksTheVaultForItsOwnConnectorAndTheCallingTool() throws Exception {
    success(invoke(TOOL, id(1)));
    success(invoke(OTHER_TOOL, id(2)));

    assertThat(secrets.uses)
        .as("every resolution names this connector, and the calling tool when resolved per call")
        .isNotEmpty()
        .allSatisfy(u -> assertThat(u).isIn(expectedUse(TOOL), expectedUse(OTHER_TOOL)));
    if (can(Capability.CREDENTIAL_PER_TOOL)) {
      assertThat(secrets.uses)
          .containsExactly(SecretUse.tool(CONNECTOR, TOOL), SecretUse.tool(CONNECTOR, OTHER_TOOL));
    }
  }

  @Test
  void aToolWithoutAnOperationIsAnInternalFailureAndSendsNothing() throws Exception {
    ConnectorResult.Failure f = failure(invoke("crm_missing", id(1)));

    assertThat(f.kind()).isEqualTo(FailureKind.INTERNAL);
    assertThat(f.detail()).isEqualTo("connector crm has no operation for crm_missing");
    assertThat(secrets.uses).as("no credential is resolved for a call that cannot run").isEmpty();
    if (can(Capability.COUNTS_REQUESTS)) {
      assertThat(requestsReceived()).isZero();
    }
  }

  @Test
  void aFailingUpstreamIsATypedFailureNamingTheConnector() throws Exception {
    makeUpstreamFail();

    ConnectorResult.Failure f = failure(invoke(TOOL, id(1)));

    assertThat(f.kind()).isIn(FailureKind.UPSTREAM_ERROR, FailureKind.UPSTREAM_REJECTED);
    assertThat(f.detail()).contains(CONNECTOR);
    if (can(Capability.COUNTS_REQUESTS)) {
      assertThat(requestsReceived()).as("no retry").isEqualTo(1);
    }
  }

  @Test
  void anUnreachableUpstreamIsATypedFailureNamingTheConnector() throws Exception {
    makeUpstreamUnreachable();

    ConnectorResult.Failure f = failure(invoke(TOOL, id(1)));

    assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_UNREACHABLE);
    assertThat(f.detail()).contains(CONNECTOR);
  }

  /**
   * An upstream that can be made to echo the credential must have every echo masked, in the answer
   * and in a failure. An adapter whose upstream cannot echo (a database, a mail server) has no such
   * tests rather than skipped ones: under CI nothing is skipped.
   */
  @TestFactory
  List<DynamicTest> anEchoedCredentialIsMaskedAndTheUseSaysSo() {
    if (!can(Capability.ECHOES_CREDENTIAL)) {
      return List.of();
    }
    return List.of(
        DynamicTest.dynamicTest(
            "in the answer",
            () -> {
              makeUpstreamEchoTheCredential();

              ConnectorResult.Success s = success(invoke(TOOL, id(1)));

              assertThat(answered(s.value())).contains(id(1));
              assertThat(s.credential())
                  .isEqualTo(new CredentialUse(SECRET_REF.toString(), SECRET_VERSION, true));
            }),
        DynamicTest.dynamicTest(
            "in a failure",
            () -> {
              makeUpstreamEchoTheCredential();
              makeUpstreamFail();

              ConnectorResult.Failure f = failure(invoke(TOOL, id(1)));

              assertThat(f.kind()).isIn(FailureKind.UPSTREAM_ERROR, FailureKind.UPSTREAM_REJECTED);
              assertThat(f.credential())
                  .isEqualTo(new CredentialUse(SECRET_REF.toString(), SECRET_VERSION, true));
            }));
  }

  @Test
  void anUnavailableCredentialFailsBeforeAnythingIsSent() throws Exception {
    secrets.available = false;

    ConnectorResult.Failure f = failure(invoke(TOOL, id(1)));

    assertThat(f.kind()).isEqualTo(FailureKind.CREDENTIAL_UNAVAILABLE);
    assertThat(f.detail())
        .as("the vault's reason stays in the gateway's log")
        .isEqualTo("the credential for connector crm is unavailable");
    assertThat(f.credential()).isNull();
    if (can(Capability.COUNTS_REQUESTS)) {
      assertThat(requestsReceived()).isZero();
    }
  }

  @Test
  void aSecretScopedToAnotherToolIsRefusedForThisOne() throws Exception {
    secrets.scopes = Set.of(CONNECTOR + "/" + OTHER_TOOL);

    ConnectorResult.Failure f = failure(invoke(TOOL, id(1)));

    assertThat(f.kind()).isEqualTo(FailureKind.CREDENTIAL_UNAVAILABLE);
    if (can(Capability.COUNTS_REQUESTS)) {
      assertThat(requestsReceived()).isZero();
    }
    ConnectorResult other = invoke(OTHER_TOOL, id(2));
    if (can(Capability.CREDENTIAL_PER_TOOL)) {
      assertThat(answered(success(other).value())).contains(id(2));
    } else {
      assertThat(failure(other).kind())
          .as("a connection-wide credential is never covered by one tool's scope")
          .isEqualTo(FailureKind.CREDENTIAL_UNAVAILABLE);
    }
  }

  @Test
  void concurrentCallsEachGetTheirOwnAnswer() throws Exception {
    Connector c = connector();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<ConnectorResult>> calls = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT_CALLS)) {
      for (int i = 0; i < CONCURRENT_CALLS; i++) {
        String id = id(i);
        calls.add(
            pool.submit(
                () -> {
                  start.await();
                  return c.invoke(Invocations.call("agent-contract", TOOL, arguments(id)));
                }));
      }
      start.countDown();
      for (int i = 0; i < CONCURRENT_CALLS; i++) {
        ConnectorResult r = calls.get(i).get(30, TimeUnit.SECONDS);
        assertThat(r.toString()).doesNotContain(SECRET);
        String value = answered(success(r).value());
        assertThat(value).contains(id(i));
        for (int j = 0; j < CONCURRENT_CALLS; j++) {
          if (j != i) {
            assertThat(value).as("call %d got only its own answer", i).doesNotContain(id(j));
          }
        }
      }
    }
    if (can(Capability.COUNTS_REQUESTS)) {
      assertThat(requestsReceived()).isEqualTo(CONCURRENT_CALLS);
    }
  }

  @Test
  void theCredentialNeverReachesTheLogWhateverHappens() throws Exception {
    if (can(Capability.ECHOES_CREDENTIAL)) {
      makeUpstreamEchoTheCredential();
      success(invoke(TOOL, id(1)));
    }
    makeUpstreamFail();
    failure(invoke(TOOL, id(2)));
    secrets.scopes = Set.of(CONNECTOR + "/someone_else");
    failure(invoke(OTHER_TOOL, id(3)));

    assertThat(logs.text()).doesNotContain(SECRET);
  }

  @Test
  void closeCanBeCalledTwiceAndALateCallIsStillAResult() throws Exception {
    Connector c = connector();
    success(invoke(TOOL, id(1)));

    assertThatCode(
            () -> {
              c.close();
              c.close();
            })
        .doesNotThrowAnyException();
    assertThatCode(() -> invoke(TOOL, id(2)))
        .as("a call racing a reload's close never throws")
        .doesNotThrowAnyException();
  }

  /**
   * The contract's vault: our own {@link SecretResolver} port, refusing uses outside its scopes the
   * way {@code vault.Vault} does ({@link SecretUse#allowedBy}). Records every use it was asked for.
   */
  private static final class Secrets implements SecretResolver {
    final List<SecretUse> uses = new CopyOnWriteArrayList<>();
    volatile boolean available = true;
    volatile Set<String> scopes = Set.of(CONNECTOR);

    @Override
    public Secret resolve(SecretRef ref, SecretUse use) throws SecretUnavailableException {
      uses.add(use);
      if (!ref.equals(SECRET_REF)) {
        throw new SecretUnavailableException("no secret " + ref);
      }
      if (!available) {
        throw new SecretUnavailableException("secret " + ref + " has no active version");
      }
      if (!use.allowedBy(scopes)) {
        throw new SecretUnavailableException("secret " + ref + " is not scoped to " + use);
      }
      return new Secret(ref, SECRET, SECRET_VERSION, List.of(OLDER_SECRET));
    }
  }
}
