package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real gateway in front of a fresh Acme for a whole test class: started before the first test
 * on a data directory of its own, closed and deleted after the last, with Acme's request log
 * cleared before each test (so a test sees only the upstream requests it caused). A test's
 * constructor or method takes the running gateway as a {@link GatewayFixture} parameter.
 *
 * <pre>{@code
 * @RegisterExtension static final GatewayExtension GATEWAY = GatewayExtension.demo();
 * private final GatewayFixture gateway;
 *
 * SomeTest(GatewayFixture gateway) { this.gateway = gateway; }
 * }</pre>
 *
 * <p>Register it on a static field: per-test gateways are what {@link GatewayFixture#start} is for.
 */
public final class GatewayExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

  /** Writes the configuration a gateway starts with into a fresh directory; answers its path. */
  @FunctionalInterface
  public interface ConfigWriter {
    Path write(Path dir) throws IOException;
  }

  private final ConfigWriter config;
  private final Map<String, String> env;
  private final Clock clock;
  private Path root;
  private GatewayFixture gateway;

  private GatewayExtension(ConfigWriter config, Map<String, String> env, Clock clock) {
    this.config = Objects.requireNonNull(config);
    this.env = Map.copyOf(env);
    this.clock = Objects.requireNonNull(clock);
  }

  /** The demo configuration, as it ships. */
  public static GatewayExtension demo() {
    return new GatewayExtension(dir -> GatewayFixture.DEMO_CONFIG, Map.of(), Clock.systemUTC());
  }

  /** The demo configuration with {@code policySet} as its only policy file. */
  public static GatewayExtension demoWithPolicies(String policySet) {
    return config(dir -> GatewayFixture.demoConfigWithPolicies(dir, policySet));
  }

  /** The demo configuration with top-level {@code sections} added. */
  public static GatewayExtension demoWith(String sections) {
    return config(dir -> GatewayFixture.demoConfigWith(dir, sections));
  }

  /** The configuration {@code writer} writes. */
  public static GatewayExtension config(ConfigWriter writer) {
    return new GatewayExtension(writer, Map.of(), Clock.systemUTC());
  }

  /** The same gateway, started with {@code variables} in its environment. */
  public GatewayExtension env(Map<String, String> variables) {
    return new GatewayExtension(config, variables, clock);
  }

  /** The same gateway, telling the time with {@code testClock}. */
  public GatewayExtension clock(Clock testClock) {
    return new GatewayExtension(config, env, testClock);
  }

  /** The running gateway. */
  public GatewayFixture fixture() {
    if (gateway == null) {
      throw new IllegalStateException(
          "the gateway runs from before the first test to after the last: register the"
              + " extension on a static field");
    }
    return gateway;
  }

  /** The gateway's data directory. */
  public Path dataDir() {
    return fixture().dataDir();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    root = Files.createTempDirectory("portcullis-test-");
    Path configDir = Files.createDirectories(root.resolve("config"));
    Path data = Files.createDirectories(root.resolve("data"));
    gateway = GatewayFixture.start(data, config.write(configDir), env, clock);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    fixture().acme().clearRequestLog();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == GatewayFixture.class;
  }

  @Override
  public GatewayFixture resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return fixture();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      gateway = null;
      delete(root);
    }
  }

  private static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the test gateway's directory " + dir, e);
    }
  }
}
