package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.PolicyBundles;
import dev.portcullis.policy.SwappablePolicy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Who wins among the nodes' policies, on an in-memory {@link PolicyBundles} (the port; the
 * PostgreSQL one runs in ChangesAcrossNodesTest): a version never published is published, the
 * newest or a superseded one is followed, a publication the store refused is tried again, and a
 * bundle that does not load leaves the policy in force until a newer one that loads.
 */
class PolicySharingTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);
  private final PolicyLoader loader = new PolicyLoader(List.of(), List.of());
  private final Bundles bundles = new Bundles();

  /** The bundles in memory; {@code down} makes every call fail as a lost store would. */
  private static final class Bundles implements PolicyBundles {
    final List<Bundle> published = new ArrayList<>();
    boolean down;

    private void reachable() throws BundleStoreException {
      if (down) {
        throw new BundleStoreException("the store is down", null);
      }
    }

    @Override
    public Optional<Head> newest() throws BundleStoreException {
      reachable();
      return published.isEmpty()
          ? Optional.empty()
          : Optional.of(new Head(published.getLast().seq(), published.getLast().version()));
    }

    @Override
    public Optional<Bundle> read(long seq) throws BundleStoreException {
      reachable();
      return published.stream().filter(b -> b.seq() == seq).findFirst();
    }

    @Override
    public boolean published(String version) throws BundleStoreException {
      reachable();
      return published.stream().anyMatch(b -> b.version().equals(version));
    }

    @Override
    public long publish(String version, List<File> files, String node, Instant at)
        throws BundleStoreException {
      reachable();
      long seq = published.size() + 1L;
      published.add(new Bundle(seq, version, files, node, at));
      return seq;
    }
  }

  private static List<PolicyBundles.File> files(String marker) {
    return List.of(
        new PolicyBundles.File(
            "policies.yaml",
            "apiVersion: portcullis.dev/v1alpha1\nkind: PolicySet\nrules: []\n# " + marker + "\n"));
  }

  private SwappablePolicy policyOf(List<PolicyBundles.File> files) throws ConfigException {
    return new SwappablePolicy(
        loader.load(new PolicyBundles.Bundle(0, "", files, "", CLOCK.instant())));
  }

  private PolicySharing node(String name, SwappablePolicy policy) {
    return new PolicySharing(bundles, loader, policy, name, CLOCK);
  }

  @Test
  void aNodeStartingWithAVersionNeverPublishedPublishesIt() throws Exception {
    SwappablePolicy policy = policyOf(files("v1"));

    node("a", policy).join(files("v1"));

    assertThat(bundles.published).hasSize(1);
    assertThat(bundles.published.getFirst().version()).isEqualTo(policy.version());
    assertThat(bundles.published.getFirst().node()).isEqualTo("a");
  }

  @Test
  void aNodeStartingWithTheNewestPublishesNothingAndOneWithASupersededVersionFollows()
      throws Exception {
    SwappablePolicy a = policyOf(files("v1"));
    PolicySharing nodeA = node("a", a);
    nodeA.join(files("v1"));
    CompiledPolicy v2 =
        loader.load(new PolicyBundles.Bundle(0, "", files("v2"), "", CLOCK.instant()));
    a.swap(v2);
    nodeA.loaded(v2, files("v2"));

    SwappablePolicy same = policyOf(files("v2"));
    node("same", same).join(files("v2"));
    SwappablePolicy stale = policyOf(files("v1"));
    node("stale", stale).join(files("v1"));

    assertThat(bundles.published).extracting(PolicyBundles.Bundle::node).containsExactly("a", "a");
    assertThat(same.version()).isEqualTo(v2.version());
    assertThat(stale.version()).as("followed the newest").isEqualTo(v2.version());
  }

  @Test
  void aPublicationTheStoreRefusedIsMadeAtTheNextLook() throws Exception {
    SwappablePolicy policy = policyOf(files("v1"));
    PolicySharing a = node("a", policy);
    bundles.down = true;

    a.join(files("v1"));
    assertThat(bundles.published).isEmpty();
    a.follow();
    bundles.down = false;
    a.follow();

    assertThat(bundles.published)
        .extracting(PolicyBundles.Bundle::version)
        .containsExactly(policy.version());
  }

  @Test
  void aBundleThatDoesNotLoadLeavesThePolicyInForceAndANewerOneIsFollowed() throws Exception {
    SwappablePolicy policy = policyOf(files("v1"));
    PolicySharing b = node("b", policy);
    b.join(files("v1"));
    String before = policy.version();
    List<PolicyBundles.File> broken =
        List.of(new PolicyBundles.File("policies.yaml", "kind: PolicySet\nrules: [oops\n"));
    bundles.publish(PolicyLoader.version(broken), broken, "x", CLOCK.instant());

    b.follow();
    assertThat(policy.version()).isEqualTo(before);
    b.follow();
    assertThat(policy.version()).isEqualTo(before);

    bundles.publish(PolicyLoader.version(files("v3")), files("v3"), "x", CLOCK.instant());
    b.follow();
    assertThat(policy.version()).isEqualTo(PolicyLoader.version(files("v3")));
  }
}
