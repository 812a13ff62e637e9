package dev.instanode.provisioner.redis;

import static dev.instanode.provisioner.redis.RedisProbe.authReply;
import static dev.instanode.provisioner.redis.RedisProbe.countKeys;
import static dev.instanode.provisioner.redis.RedisProbe.errorOf;
import static dev.instanode.provisioner.redis.RedisProbe.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.core.Plans;
import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.names.AclUserName;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.RotateResult;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.engine.TestProvisioners;
import dev.instanode.testkit.TestRedis;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Redis backend against the real embedded Redis 6.2, checked the way a customer would see it:
 * with a plain client connecting as the tenant through the returned URL.
 */
class RedisBackendTest {
  /**
   * The backend runs as an admin user that may do everything except KEYS, so any use of KEYS (which
   * would block the shared server) fails these tests.
   */
  private static final String ADMIN_USER = "instanode_provisioner";

  private static final String ADMIN_PASSWORD = "provisioner-test-password";

  private static final AtomicReference<String> failAfterStep = new AtomicReference<>();
  private static final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private static RedisProbe probe;
  private static RedisCommands<String, String> admin;
  private static RedisBackend backend;
  private static LocalProvisioner provisioner;
  private static Tenant sharedTenant;

  @BeforeAll
  static void setUp() {
    probe = new RedisProbe();
    admin = probe.connect(TestRedis.adminUrl()).sync();
    run(admin, "ACL SETUSER " + ADMIN_USER + " reset on >" + ADMIN_PASSWORD + " ~* &* +@all -keys");
    String adminUrl =
        "redis://" + ADMIN_USER + ":" + ADMIN_PASSWORD + "@127.0.0.1:" + TestRedis.server().port();
    ProvisionStepHook hook =
        (step, token) -> {
          if (step.equals(failAfterStep.get())) {
            throw new IllegalStateException("injected failure after " + step);
          }
        };
    backend = new RedisBackend(RedisEndpoint.of(adminUrl + "/0"), Plans.bundled(), hook, meters);
    provisioner = TestProvisioners.around(backend, Set.of(), meters);
  }

  @AfterAll
  static void tearDown() {
    backend.close();
    probe.close();
  }

  @Test
  void provisionReturnsTheTenantsUrlPrefixAndSharedResourceId() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult result = provision(token);
    assertThat(result.connectionUrl())
        .matches(
            "redis://usr_"
                + token
                + ":[0-9a-f]{32}@127\\.0\\.0\\.1:"
                + TestRedis.server().port()
                + "/0");
    assertThat(result.providerResourceId().wire()).isEqualTo("redis:0");
    assertThat(result.keyPrefix()).contains(token + ":");
    assertThat(result.appliedConnLimit()).isEqualTo(-1);
  }

  @Test
  void theTenantReadsAndWritesKeysUnderItsPrefix() {
    Tenant a = newTenant();
    assertThat(a.redis().set(a.prefix() + "k", "v")).isEqualTo("OK");
    assertThat(a.redis().get(a.prefix() + "k")).isEqualTo("v");
  }

  /** Guards against a denial (e.g. -@dangerous) taking away something ordinary apps rely on. */
  @Test
  void anOrdinaryApplicationWorkloadRunsUnderThePrefix() {
    Tenant a = newTenant();
    RedisCommands<String, String> r = a.redis();
    String p = a.prefix();
    assertThat(r.ping()).isEqualTo("PONG");
    assertThat(r.echo("hi")).isEqualTo("hi");
    assertThat(r.clientSetname("worker-1")).isEqualTo("OK");
    assertThat(r.clientGetname()).isEqualTo("worker-1");
    assertThat(r.clientId()).isPositive();
    assertThat(r.time()).hasSize(2);
    assertThat(r.incr(p + "counter")).isEqualTo(1);
    assertThat(r.expire(p + "counter", 60)).isTrue();
    assertThat(r.ttl(p + "counter")).isPositive();
    assertThat(r.hset(p + "h", Map.of("f", "1"))).isEqualTo(1);
    assertThat(r.hgetall(p + "h")).containsEntry("f", "1");
    assertThat(r.lpush(p + "l", "a", "b")).isEqualTo(2);
    assertThat(r.brpop(1, p + "l").getValue()).isEqualTo("a");
    assertThat(r.sadd(p + "s", "x")).isEqualTo(1);
    assertThat(r.zadd(p + "z", 1.0, "m")).isEqualTo(1);
    assertThat(r.xadd(p + "stream", Map.of("a", "b"))).isNotBlank();
    assertThat(r.pfadd(p + "hll", "u1")).isEqualTo(1);
    assertThat(r.geoadd(p + "geo", 13.4, 52.5, "berlin")).isEqualTo(1);
    assertThat(r.setbit(p + "bits", 7, 1)).isZero();
    assertThat(r.exists(p + "counter", p + "h")).isEqualTo(2);
    assertThat(r.type(p + "h")).isEqualTo("hash");
    assertThat(r.rename(p + "s", p + "s2")).isEqualTo("OK");
    assertThat(r.unlink(p + "s2")).isEqualTo(1);
    assertThat(r.del(p + "z")).isEqualTo(1);
    assertThat(r.publish(p + "events", "hello")).isZero();
    r.watch(p + "counter");
    r.multi();
    r.incr(p + "counter");
    assertThat(r.exec().wasDiscarded()).isFalse();
    assertThat(r.get(p + "counter")).isEqualTo("2");
  }

  @Test
  void keysOutsideThePrefixAreRefusedWithNoperm() {
    Tenant a = newTenant();
    admin.set("platform:secret", "s");
    assertThatThrownBy(() -> a.redis().set("elsewhere", "v")).hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> a.redis().get("platform:secret")).hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> a.redis().rename(a.prefix() + "x", "platform:moved"))
        .hasMessageContaining("NOPERM");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "FLUSHALL",
        "FLUSHDB",
        "KEYS *",
        "CONFIG GET maxmemory",
        "DEBUG SLEEP 0",
        "ACL LIST",
        "ACL SETUSER default nopass",
        "MONITOR",
        "SCAN 0",
        "SCAN 0 MATCH {p}*",
        "RANDOMKEY",
        "DBSIZE",
        "SELECT 0",
        "SELECT 1",
        "SWAPDB 0 1",
        "MOVE {p}k 1",
        "COPY {p}k {p}k2 DB 1",
        "INFO",
        "SORT {p}list",
        "CLIENT LIST",
        "CLIENT KILL USER default",
        "CLIENT TRACKING on BCAST",
        "SCRIPT FLUSH",
        "SCRIPT KILL",
        "MEMORY STATS",
        "PUBSUB CHANNELS",
        "SLOWLOG GET",
        "SAVE",
        "BGSAVE",
        "REPLICAOF NO ONE",
        "ROLE"
      })
  void serverAndKeyspaceWideCommandsAreRefusedWithNoperm(String command) {
    Tenant a = sharedTenant();
    assertThat(errorOf(a.redis(), command.replace("{p}", a.prefix()))).startsWith("NOPERM");
  }

  @Test
  void aScriptThatNeverReturnsCannotFreezeTheSharedServer() throws Exception {
    Tenant looping = newTenant();
    Tenant other = newTenant();
    // Before scripting was taken away this blocked every tenant with BUSY until SCRIPT KILL,
    // which no tenant may run. Sent on its own thread so a regression fails the test, not hangs it.
    try (ExecutorService thread = Executors.newSingleThreadExecutor()) {
      Future<?> loop =
          thread.submit(() -> looping.redis().eval("while true do end", ScriptOutputType.STATUS));
      assertThatThrownBy(() -> loop.get(5, TimeUnit.SECONDS)).hasMessageContaining("NOPERM");
    }
    assertThat(other.redis().set(other.prefix() + "k", "v")).isEqualTo("OK");
    assertThat(other.redis().ping()).isEqualTo("PONG");
    RedisCommands<String, String> r = looping.redis();
    String sha = "0000000000000000000000000000000000000000";
    assertThatThrownBy(() -> r.eval("return 1", ScriptOutputType.INTEGER))
        .hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> r.evalsha(sha, ScriptOutputType.INTEGER))
        .hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> r.scriptLoad("return 1")).hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> r.scriptExists(sha)).hasMessageContaining("NOPERM");
  }

  @Test
  void publishingOutsideThePrefixIsRefused() {
    Tenant a = newTenant();
    assertThatThrownBy(() -> a.redis().publish("platform:events", "x"))
        .hasMessageContaining("NOPERM");
  }

  @Test
  void oneTenantCannotReadOrWriteAnothersKeys() {
    Tenant a = newTenant();
    Tenant b = newTenant();
    a.redis().set(a.prefix() + "k", "a's value");
    assertThatThrownBy(() -> b.redis().get(a.prefix() + "k")).hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> b.redis().set(a.prefix() + "k", "b's value"))
        .hasMessageContaining("NOPERM");
    assertThat(a.redis().get(a.prefix() + "k")).isEqualTo("a's value");
  }

  @Test
  void aWrongPasswordIsRejected() {
    URI url = URI.create(provision(ResourceToken.random()).connectionUrl());
    String user = url.getUserInfo().split(":")[0];
    String wrong =
        "redis://" + user + ":" + "0".repeat(32) + "@" + url.getHost() + ":" + url.getPort() + "/0";
    assertThat(authReply(wrong)).startsWith("-WRONGPASS");
  }

  @Test
  void deprovisionRemovesTheUserAndExactlyItsKeysAndIsIdempotent() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult result = provision(token);
    StatefulRedisConnection<String, String> open = probe.connect(result.connectionUrl());
    String prefix = token + ":";
    // More keys than one SCAN batch, so the sweep must follow the cursor.
    open.sync().mset(keys(prefix, 1200));
    Tenant b = newTenant();
    b.redis().mset(keys(b.prefix(), 50));
    // Same token, but not under "<token>:": not this tenant's keys.
    admin.set(token.toString(), "kept");
    admin.set(token + "x:1", "kept");

    DeprovisionRequest drop =
        new DeprovisionRequest(
            token,
            ResourceType.REDIS,
            ProviderResourceId.of("redis:0"),
            "test",
            RequestId.random());
    provisioner.deprovision(drop);

    assertThat(admin.aclUsers()).doesNotContain("usr_" + token);
    assertThat(countKeys(admin, prefix + "*")).isZero();
    assertThat(countKeys(admin, b.prefix() + "*")).isEqualTo(50);
    assertThat(admin.get(token.toString())).isEqualTo("kept");
    assertThat(admin.get(token + "x:1")).isEqualTo("kept");
    await().atMost(Duration.ofSeconds(5)).until(() -> !open.isOpen());
    assertThat(authReply(result.connectionUrl())).startsWith("-WRONGPASS");

    provisioner.deprovision(drop);
    assertThat(admin.aclUsers()).doesNotContain("usr_" + token);
  }

  @ParameterizedTest
  @ValueSource(strings = {RedisBackend.STEP_ACL_SETUSER, RedisBackend.STEP_ACL_SAVE})
  void aFailureAfterAStepLeavesNoUserBehind(String step) {
    ResourceToken token = ResourceToken.random();
    double dropsBefore = okDrops();
    failAfterStep.set(step);
    try {
      assertThatThrownBy(() -> provision(token))
          .isInstanceOf(ProvisionerException.class)
          .extracting(e -> ((ProvisionerException) e).kind())
          .isEqualTo(ProvisionerException.Kind.INTERNAL);
    } finally {
      failAfterStep.set(null);
    }
    assertThat(admin.aclUsers()).doesNotContain("usr_" + token);
    assertThat(okDrops()).as("rolled back through the chokepoint").isEqualTo(dropsBefore + 1);
  }

  @Test
  void concurrentProvisionsShareTheAdminConnection() throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Callable<ProvisionResult>> calls =
          IntStream.range(0, 16)
              .<Callable<ProvisionResult>>mapToObj(i -> () -> provision(ResourceToken.random()))
              .toList();
      // Each URL is checked on a fresh socket of its own: a pooled client's connection that the
      // busy shared server happened to drop would say nothing about the credentials.
      for (Future<ProvisionResult> done : pool.invokeAll(calls)) {
        assertThat(authReply(done.get().connectionUrl())).isEqualTo("+OK");
      }
    }
  }

  @Test
  void storageBytesSumsMemoryUsageOfTheTenantsKeysOnly() {
    Tenant a = newTenant();
    Tenant b = newTenant();
    assertThat(storageBytes(a)).isZero();
    a.redis().set(a.prefix() + "small", "x".repeat(1_000));
    b.redis().set(b.prefix() + "large", "x".repeat(1_000_000));
    long bytes = storageBytes(a);
    assertThat(bytes).isBetween(1_000L, 10_000L);
  }

  @Test
  void storageBytesSumsEveryKeyOfTheTenant() {
    Tenant a = newTenant();
    // Equal-length names and values, so every key has the same MEMORY USAGE.
    Map<String, String> many = new HashMap<>();
    IntStream.range(0, 1500).forEach(i -> many.put(a.prefix() + "%04d".formatted(i), "v"));
    a.redis().mset(many);
    long perKey = admin.memoryUsage(a.prefix() + "0000");
    assertThat(storageBytes(a)).isEqualTo(1500 * perKey);
  }

  @Test
  void regradeIsSkippedBecauseTheSharedBackendHasNoPerUserCap() {
    ResourceToken token = ResourceToken.random();
    RegradeResult result =
        provisioner.regrade(
            new RegradeRequest(
                token,
                ResourceType.REDIS,
                Tier.PRO,
                ProviderResourceId.of("redis:0"),
                RequestId.random()));
    assertThat(result.applied()).isFalse();
    assertThat(result.skipReason()).contains("backend does not support redis regrade");
    assertThat(result.appliedConnLimit())
        .isEqualTo(Plans.bundled().storageLimitMb(Tier.PRO, ResourceType.REDIS));
  }

  @Test
  void objectNamesIsTheTenantUserWhichTheDropGuardAccepts() {
    DropGuard guard = new DropGuard(Set.of());
    PoolToken token = new PoolToken("pool-" + ResourceToken.random());
    assertThat(backend.objectNames(token)).containsExactly(new AclUserName("usr_" + token));
    assertThat(guard.refusal(backend.objectNames(token).getFirst())).isEmpty();
  }

  @Test
  void rotationLocksOutTheOldPasswordAtOnceAndTheNewUrlWorks() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult before = provision(token);

    String after = rotate(token, ProviderResourceId.of("redis:0")).connectionUrl();

    String oldPassword = URI.create(before.connectionUrl()).getUserInfo().split(":")[1];
    assertThat(after)
        .matches("redis://usr_" + token + ":[0-9a-f]{32}@127\\.0\\.0\\.1:\\d+/0")
        .isEqualTo(before.connectionUrl().replace(oldPassword, passwordOf(after)));
    assertThat(passwordOf(after)).isNotEqualTo(oldPassword);
    assertThat(authReply(before.connectionUrl())).startsWith("-WRONGPASS");
    assertThat(authReply(after)).isEqualTo("+OK");
    RedisCommands<String, String> fresh = probe.connect(after).sync();
    assertThat(fresh.set(token + ":k", "v")).isEqualTo("OK");
  }

  @Test
  void rotationClosesConnectionsOpenedWithTheOldPasswordAndNoOtherTenants() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult before = provision(token);
    StatefulRedisConnection<String, String> stale = probe.connect(before.connectionUrl());
    assertThat(stale.sync().ping()).isEqualTo("PONG");
    Tenant bystander = newTenant();

    rotate(token, ProviderResourceId.of("redis:0"));

    await().atMost(Duration.ofSeconds(5)).until(() -> !stale.isOpen());
    assertThatThrownBy(() -> stale.sync().get(token + ":k")).isInstanceOf(RedisException.class);
    assertThat(bystander.redis().ping()).isEqualTo("PONG");
  }

  @Test
  void rotationChangesThePasswordAndNoOtherRule() {
    ResourceToken token = ResourceToken.random();
    provision(token);
    String before = aclLine("usr_" + token);

    rotate(token, ProviderResourceId.of("redis:0"));

    String after = aclLine("usr_" + token);
    assertThat(after).isNotEqualTo(before);
    assertThat(withoutPasswords(after)).isEqualTo(withoutPasswords(before));
    assertThat(after.split(" ")).filteredOn(word -> word.startsWith("#")).hasSize(1);
  }

  @Test
  void aRotatedTenantIsStillConfinedToItsPrefix() {
    ResourceToken token = ResourceToken.random();
    provision(token);
    RedisCommands<String, String> rotated =
        probe.connect(rotate(token, ProviderResourceId.of("redis:0")).connectionUrl()).sync();
    assertThat(rotated.set(token + ":k", "v")).isEqualTo("OK");
    assertThatThrownBy(() -> rotated.get("platform:secret")).hasMessageContaining("NOPERM");
    assertThat(errorOf(rotated, "FLUSHALL")).startsWith("NOPERM");
  }

  @Test
  void rotatingAPooledResourceChangesThePoolTokensUserNotTheResourceTokens() {
    PoolToken poolToken = new PoolToken("pool-" + ResourceToken.random());
    ProvisionResult pooled = backend.provision(poolToken, Tier.ANONYMOUS, RequestId.random());
    ProviderResourceId prid = pooled.providerResourceId().pooled(poolToken);
    ResourceToken claimedAs = ResourceToken.random();

    String after = rotate(claimedAs, prid).connectionUrl();

    assertThat(URI.create(after).getUserInfo()).startsWith("usr_" + poolToken + ":");
    assertThat(authReply(pooled.connectionUrl())).startsWith("-WRONGPASS");
    assertThat(probe.connect(after).sync().set(poolToken + ":k", "v")).isEqualTo("OK");
    assertThat(admin.aclUsers()).doesNotContain("usr_" + claimedAs);
  }

  @Test
  void rotatingAMissingUserIsInvalidArgumentAndCreatesNoUser() {
    ResourceToken token = ResourceToken.random();
    assertThatThrownBy(() -> rotate(token, ProviderResourceId.of("redis:0")))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT);
              assertThat(e.getMessage()).isEqualTo("user does not exist");
            });
    assertThat(admin.aclUsers()).doesNotContain("usr_" + token);
  }

  private static RotateResult rotate(ResourceToken token, ProviderResourceId providerResourceId) {
    return provisioner.rotateCredentials(
        new RotateRequest(token, ResourceType.REDIS, providerResourceId, RequestId.random()));
  }

  private static String passwordOf(String url) {
    return URI.create(url).getUserInfo().split(":")[1];
  }

  /** The user's line in ACL LIST: its flags, password hashes and rules. */
  private static String aclLine(String user) {
    return admin.aclList().stream()
        .filter(line -> line.startsWith("user " + user + " "))
        .findFirst()
        .orElseThrow();
  }

  private static String withoutPasswords(String aclLine) {
    return aclLine.replaceAll(" #[0-9a-f]{64}", "");
  }

  private static double okDrops() {
    var counter =
        meters
            .find("instant_provisioner_drop_total")
            .tag("resource_type", "redis")
            .tag("outcome", "ok")
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static Map<String, String> keys(String prefix, int count) {
    Map<String, String> keys = new HashMap<>();
    IntStream.range(0, count).forEach(i -> keys.put(prefix + i, "v" + i));
    return keys;
  }

  private static ProvisionResult provision(ResourceToken token) {
    return provisioner.provision(
        new ProvisionRequest(token, ResourceType.REDIS, Tier.ANONYMOUS, RequestId.random()));
  }

  private static long storageBytes(Tenant tenant) {
    return provisioner.storageBytes(
        new StorageRequest(
            tenant.token(),
            ResourceType.REDIS,
            ProviderResourceId.of("redis:0"),
            RequestId.random()));
  }

  private static synchronized Tenant sharedTenant() {
    if (sharedTenant == null) {
      sharedTenant = newTenant();
    }
    return sharedTenant;
  }

  private static Tenant newTenant() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult result = provision(token);
    return new Tenant(
        token, result.keyPrefix().orElseThrow(), probe.connect(result.connectionUrl()).sync());
  }

  private record Tenant(ResourceToken token, String prefix, RedisCommands<String, String> redis) {}
}
