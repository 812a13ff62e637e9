package dev.instanode.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Walks every kind: a kind added without all its parts fails here, not in production. */
class ResourceKindsTest {
  private static final Plans PLANS = Plans.bundled();

  @Test
  void everyTypeHasExactlyOneDescriptorNamingItself() {
    assertThat(ResourceKinds.all())
        .extracting(ResourceKind::type)
        .containsExactly(ResourceType.values());
    for (ResourceType type : ResourceType.values()) {
      assertThat(ResourceKinds.of(type).type()).isEqualTo(type);
    }
  }

  @Test
  void routesAndStackVariablesAreDistinctAndWellFormed() {
    Set<String> routes = new HashSet<>();
    Set<String> vars = new HashSet<>();
    for (ResourceKind kind : ResourceKinds.all()) {
      assertThat(kind.route()).matches("/[a-z]+/new");
      assertThat(routes.add(kind.route())).as("route %s taken twice", kind.route()).isTrue();
      assertThat(kind.envVar()).matches("[A-Z][A-Z0-9_]*_URL");
      assertThat(vars.add(kind.envVar())).as("%s taken twice", kind.envVar()).isTrue();
    }
  }

  @Test
  void everyKindHasLimitsAtEveryTierOfThePlans() {
    for (ResourceKind kind : ResourceKinds.all()) {
      for (Tier tier : Tier.values()) {
        ResourceKind.Limits limits = kind.limits(PLANS.of(tier));
        assertThat(limits.sizeMb()).as("%s at %s", kind.type(), tier).isGreaterThanOrEqualTo(-1);
        assertThat(limits.connections()).isGreaterThanOrEqualTo(-1);
        assertThat(PLANS.limits(tier, kind.type())).isEqualTo(limits);
      }
    }
  }

  @Test
  void everyKindNamesItsInfrastructureAndItsPoolSetting() {
    for (ResourceKind kind : ResourceKinds.all()) {
      // A storage tenant's keys start with its token itself (<token>/), so it has no name prefix.
      assertThat(kind.namePrefixes().isEmpty()).isEqualTo(kind.type() == ResourceType.STORAGE);
      assertThat(kind.namePrefixes()).allMatch(p -> p.matches("[a-z]+_"));
      // A pool holds pre-made infrastructure; a kind made by recording a row has none to keep.
      kind.poolSizeSetting()
          .ifPresent(
              setting -> assertThat(setting).isEqualTo("POOL_" + kind.type().name() + "_SIZE"));
      assertThat(kind.poolSizeSetting().isPresent())
          .isEqualTo(kind.enforcement() == ResourceKind.Enforcement.MEASURED);
      assertThat(kind.backend()).isNotBlank();
    }
  }

  @Test
  void theKindsDifferWhereTheirBackendsDo() {
    ResourceKind postgres = ResourceKinds.of(ResourceType.POSTGRES);
    ResourceKind redis = ResourceKinds.of(ResourceType.REDIS);
    assertThat(postgres.connectionCap()).isEqualTo(ResourceKind.ConnectionCap.ROLE_SETTING);
    assertThat(redis.connectionCap()).isEqualTo(ResourceKind.ConnectionCap.CLOSED_OVER_LIMIT);
    assertThat(postgres.probe()).isEqualTo(ResourceKind.Probe.ZERO_MEANS_ABSENT);
    assertThat(redis.probe()).isEqualTo(ResourceKind.Probe.ZERO_PROVES_NOTHING);
    assertThat(postgres.size()).isEqualTo(ResourceKind.Size.STORAGE);
    assertThat(redis.size()).isEqualTo(ResourceKind.Size.MEMORY);
    assertThat(Arrays.stream(ResourceKind.Size.values()).map(ResourceKind.Size::field))
        .containsExactly("storage_mb", "memory_mb", "requests_stored", "");
    ResourceKind webhook = ResourceKinds.of(ResourceType.WEBHOOK);
    assertThat(webhook.route()).isEqualTo("/webhook/new");
    assertThat(webhook.size()).isEqualTo(ResourceKind.Size.REQUESTS);
    assertThat(webhook.connectionCap()).isEqualTo(ResourceKind.ConnectionCap.NONE);
    assertThat(webhook.enforcement()).isEqualTo(ResourceKind.Enforcement.ON_WRITE);
    assertThat(webhook.limits(PLANS.of(Tier.ANONYMOUS)).sizeMb()).isEqualTo(100);
    ResourceKind storage = ResourceKinds.of(ResourceType.STORAGE);
    assertThat(storage.route()).isEqualTo("/storage/new");
    assertThat(storage.envVar()).isEqualTo("STORAGE_URL");
    assertThat(storage.limits(PLANS.of(Tier.ANONYMOUS)).sizeMb()).isEqualTo(10);
    assertThat(storage.enforcement()).isEqualTo(ResourceKind.Enforcement.ON_WRITE);
    ResourceKind queue = ResourceKinds.of(ResourceType.QUEUE);
    assertThat(queue.route()).isEqualTo("/queue/new");
    assertThat(queue.envVar()).isEqualTo("NATS_URL");
    assertThat(queue.size()).isEqualTo(ResourceKind.Size.NONE);
    // Only a URL with a password in it can be rotated.
    assertThat(ResourceKinds.all().stream().filter(ResourceKind::password).map(ResourceKind::type))
        .containsExactly(ResourceType.POSTGRES, ResourceType.REDIS, ResourceType.QUEUE);
  }
}
