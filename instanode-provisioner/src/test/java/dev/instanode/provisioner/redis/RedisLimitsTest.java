package dev.instanode.provisioner.redis;

import static dev.instanode.provisioner.redis.RedisProbe.errorOf;
import static dev.instanode.provisioner.redis.RedisProbe.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.InfraKey;
import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.testkit.TestRedis;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Measuring and holding tenants of the shared Redis to their plan, as a tenant meets it. */
class RedisLimitsTest {
  private static RedisProbe probe;
  private static RedisCommands<String, String> admin;
  private static RedisBackend backend;
  private static SimpleMeterRegistry meters;

  @BeforeAll
  static void setUp() {
    probe = new RedisProbe();
    admin = probe.connect(TestRedis.adminUrl()).sync();
    meters = new SimpleMeterRegistry();
    backend =
        new RedisBackend(
            RedisEndpoint.of(TestRedis.adminUrl()),
            Plans.bundled(),
            ProvisionStepHook.NONE,
            meters);
  }

  @AfterAll
  static void tearDown() {
    backend.close();
    probe.close();
  }

  private record Tenant(
      InfraKey naming, String prefix, String url, RedisCommands<String, String> redis) {}

  private static final ProviderResourceId PRID = ProviderResourceId.of("redis:0");

  private static Tenant tenant() {
    ResourceToken naming = ResourceToken.random();
    ProvisionResult made = backend.provision(naming, Tier.ANONYMOUS, RequestId.random());
    return new Tenant(
        naming,
        made.keyPrefix().orElseThrow(),
        made.connectionUrl(),
        probe.connect(made.connectionUrl()).sync());
  }

  @Test
  void theInventoryListsEveryTenantUserWithTheAgeStampedBesideIt() {
    Instant before = Instant.now().minusSeconds(1);
    Tenant made = tenant();
    Instant after = Instant.now().plusSeconds(1);
    ResourceToken unstamped = ResourceToken.random();
    admin.aclSetuser("usr_" + unstamped, AclSetuserArgs.Builder.off());

    List<InventoryItem> items = backend.inventory();

    assertThat(items)
        .filteredOn(i -> i.key().equals(made.naming()))
        .singleElement()
        .satisfies(i ->
            assertThat(i.createdAt())
                .hasValueSatisfying(at -> assertThat(at).isBetween(before, after)));
    assertThat(items)
        .filteredOn(i -> i.key().equals(unstamped))
        .singleElement()
        .satisfies(i -> assertThat(i.createdAt()).as("an unknown age, never an old one").isEmpty());
    assertThat(items)
        .extracting(i -> i.key().text())
        .as("not the admin, nor the probe users")
        .allMatch(k -> InfraKey.parse(k).isPresent());
    assertThatThrownBy(() -> made.redis().hgetall(RedisBackend.CREATED))
        .as("out of every tenant's reach")
        .hasMessageContaining("NOPERM");

    backend.drop(made.naming(), PRID);
    admin.aclDeluser("usr_" + unstamped);
    assertThat(backend.inventory())
        .extracting(InventoryItem::key)
        .doesNotContain(made.naming(), unstamped);
    assertThat(admin.hget(RedisBackend.CREATED, "usr_" + made.naming().text()))
        .as("the stamp goes with the user")
        .isNull();
  }

  @Test
  void aFullServerStillProvisionsWithAnUnknownAgeRatherThanFailing() {
    String maxmemory = admin.configGet("maxmemory").get("maxmemory");
    admin.set("instanode-test:filler", "x".repeat(100_000));
    try {
      // Full: denyoom writes such as HSET are refused, ACL SETUSER is not.
      admin.configSet("maxmemory", "1");
      Tenant made = tenant();
      admin.configSet("maxmemory", maxmemory);

      assertThat(backend.inventory())
          .filteredOn(i -> i.key().equals(made.naming()))
          .singleElement()
          .satisfies(i -> assertThat(i.createdAt()).isEmpty());
      backend.drop(made.naming(), PRID);
    } finally {
      admin.configSet("maxmemory", maxmemory);
      admin.del("instanode-test:filler");
    }
  }

  @Test
  void oneScanMeasuresEveryTenantsKeysMemoryAndConnectionsApart() {
    Tenant big = tenant();
    Tenant small = tenant();
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      values.put(big.prefix() + i, "x".repeat(10_000));
    }
    big.redis().mset(values);
    small.redis().set(small.prefix() + "one", "v");
    Tenant empty = tenant();

    UsageReport report = backend.usage();

    assertThat(report.complete()).isTrue();
    TenantUsage b = of(report, big);
    TenantUsage s = of(report, small);
    assertThat(b.keys()).isEqualTo(200);
    // 200 values of 10 kB each, estimated from a sample: within 20% of 2 MB.
    assertThat(b.bytes()).isBetween(1_600_000L, 2_400_000L);
    assertThat(s.keys()).isEqualTo(1);
    assertThat(s.bytes()).isBetween(1L, 1_000L);
    assertThat(b.connections()).isEqualTo(1);
    assertThat(of(report, empty).keys()).as("a tenant with no keys is still listed").isZero();
  }

  @Test
  void aPassThatHitsItsKeyBoundSaysItIsIncomplete() {
    Tenant t = tenant();
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      values.put(t.prefix() + i, "v");
    }
    t.redis().mset(values);
    try (RedisBackend bounded =
        new RedisBackend(
            RedisEndpoint.of(TestRedis.adminUrl()),
            Plans.bundled(),
            ProvisionStepHook.NONE,
            new SimpleMeterRegistry(),
            1000)) {
      UsageReport report = bounded.usage();
      assertThat(report.complete()).isFalse();
      assertThat(of(report, t).keys()).as("a lower bound").isLessThan(3000);
    }
  }

  @Test
  void overItsLimitATenantReadsAndDeletesButWritesNothingAndOthersAreUntouched() {
    Tenant over = tenant();
    Tenant other = tenant();
    over.redis().set(over.prefix() + "a", "1");
    over.redis().set(over.prefix() + "b", "2");

    assertThat(backend.setWritesBlocked(over.naming(), PRID, true)).isTrue();
    assertThat(backend.setWritesBlocked(over.naming(), PRID, true)).isFalse();
    assertThat(of(backend.usage(), over).writesBlocked()).isTrue();

    assertThat(over.redis().get(over.prefix() + "a")).isEqualTo("1");
    assertThatThrownBy(() -> over.redis().set(over.prefix() + "c", "3"))
        .hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> over.redis().append(over.prefix() + "a", "more"))
        .hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> over.redis().lpush(over.prefix() + "l", "x"))
        .hasMessageContaining("NOPERM");
    assertThat(over.redis().del(over.prefix() + "a")).isEqualTo(1);
    assertThat(over.redis().unlink(over.prefix() + "b")).isEqualTo(1);
    assertThat(errorOf(over.redis(), "FLUSHDB")).startsWith("NOPERM");
    assertThat(other.redis().set(other.prefix() + "k", "v")).isEqualTo("OK");

    assertThat(backend.setWritesBlocked(over.naming(), PRID, false)).isTrue();
    assertThat(over.redis().set(over.prefix() + "c", "3")).isEqualTo("OK");
    assertThat(of(backend.usage(), over).writesBlocked()).isFalse();
  }

  @Test
  void connectionsOverTheCapAreClosedNewestFirst() throws Exception {
    Tenant t = tenant();
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(probe.connect(t.url()).sync().clientId());
      Thread.sleep(1100); // CLIENT LIST ages are whole seconds
    }
    assertThat(of(backend.usage(), t).connections()).isEqualTo(5);

    assertThat(backend.closeConnectionsOver(t.naming(), PRID, 3)).isEqualTo(2);

    // By id: a client library reconnects a killed connection, under a new id.
    assertThat(clientIds(t))
        .contains(ids.get(0), ids.get(1))
        .doesNotContain(ids.get(2), ids.get(3));
  }

  @Test
  void sheddingLeavesTheTenantWithAtMostWhatItMayKeepAndTouchesNoOtherKey() {
    Tenant over = tenant();
    Tenant other = tenant();
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      values.put(over.prefix() + i, "x".repeat(100_000));
    }
    over.redis().mset(values);
    other.redis().set(other.prefix() + "keep", "v");

    long held = backend.storageBytes(over.naming(), PRID);
    long value = held / 50;

    long freed = backend.shedDownTo(over.naming(), PRID, 3_000_000);

    // Measured after the call, not from a figure the caller read: it keeps at most 3 MB, and
    // shedding stops within one value of that.
    long left = backend.storageBytes(over.naming(), PRID);
    assertThat(left).isLessThanOrEqualTo(3_000_000L).isGreaterThan(3_000_000L - value);
    assertThat(freed).isEqualTo(held - left);
    assertThat(other.redis().get(other.prefix() + "keep")).isEqualTo("v");
    assertThat(backend.shedDownTo(over.naming(), PRID, 3_000_000)).as("nothing beyond").isZero();
  }

  @Test
  void aServerNearItsMaxmemoryIsReportedUnderPressure() {
    String maxmemory = admin.configGet("maxmemory").get("maxmemory");
    assertThat(backend.usage().underPressure()).isFalse();
    try {
      long used =
          Long.parseLong(
              admin
                  .info("memory")
                  .lines()
                  .filter(l -> l.startsWith("used_memory:"))
                  .findFirst()
                  .orElseThrow()
                  .substring("used_memory:".length())
                  .trim());
      admin.configSet("maxmemory", Long.toString(used + used / 20));
      assertThat(backend.usage().underPressure()).isTrue();
    } finally {
      admin.configSet("maxmemory", maxmemory);
    }
  }

  @Test
  void usersMadeWithScriptingLoseItAtTheNextPass() {
    Tenant t = tenant();
    // The rules tenants got before scripting was taken away.
    run(admin, "ACL SETUSER usr_" + t.naming() + " +@scripting");
    Long one = t.redis().eval("return 1", ScriptOutputType.INTEGER);
    assertThat(one).isEqualTo(1L);

    backend.usage();

    assertThatThrownBy(() -> t.redis().eval("return 1", ScriptOutputType.INTEGER))
        .hasMessageContaining("NOPERM");
    assertThat(t.redis().set(t.prefix() + "k", "v")).isEqualTo("OK");
  }

  @Test
  void theServerIsKeptOnNoevictionSoNoTenantEvictsAnother() {
    admin.configSet("maxmemory-policy", "allkeys-lru");
    backend.usage();
    assertThat(admin.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
    assertThat(meters.get("instant_customer_redis_maxmemory_bytes").gauge().value())
        .isEqualTo(Double.parseDouble(admin.configGet("maxmemory").get("maxmemory")));
  }

  private static TenantUsage of(UsageReport report, Tenant t) {
    return report.tenants().stream()
        .filter(u -> u.key().equals(t.naming()))
        .findFirst()
        .orElseThrow();
  }

  private static List<Long> clientIds(Tenant t) {
    List<Long> ids = new ArrayList<>();
    for (String line : admin.clientList().split("\n")) {
      if (("usr_" + t.naming()).equals(ClientList.field(line, "user"))) {
        ids.add(Long.parseLong(ClientList.field(line, "id")));
      }
    }
    return ids;
  }
}
