package dev.instanode.provisioner.redis;

import static dev.instanode.provisioner.redis.RedisProbe.authReply;
import static dev.instanode.provisioner.redis.RedisProbe.errorOf;
import static dev.instanode.provisioner.redis.RedisProbe.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.names.BindingKey;
import dev.instanode.provisioner.BindingRequest;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.engine.TestProvisioners;
import dev.instanode.testkit.TestRedis;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bindings on the shared Redis: a user of each binding's own, confined like its tenant. */
class RedisBindingsTest {
  private static final String ADMIN_USER = "instanode_provisioner";
  private static final String ADMIN_PASSWORD = "provisioner-test-password";
  private static final ProviderResourceId PRID = ProviderResourceId.of("redis:0");

  private static RedisProbe probe;
  private static RedisCommands<String, String> admin;
  private static RedisBackend backend;
  private static LocalProvisioner provisioner;

  @BeforeAll
  static void setUp() {
    probe = new RedisProbe();
    admin = probe.connect(TestRedis.adminUrl()).sync();
    run(admin, "ACL SETUSER " + ADMIN_USER + " reset on >" + ADMIN_PASSWORD + " ~* &* +@all -keys");
    String adminUrl =
        "redis://" + ADMIN_USER + ":" + ADMIN_PASSWORD + "@127.0.0.1:" + TestRedis.server().port();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    backend =
        new RedisBackend(
            RedisEndpoint.of(adminUrl + "/0"), Plans.bundled(), (step, key) -> {}, meters);
    provisioner = TestProvisioners.around(backend, Set.of(), meters);
  }

  @AfterAll
  static void tearDown() {
    backend.close();
    probe.close();
  }

  @Test
  void twoBindingsGetUsersOfTheirOwnConfinedToTheTenantsPrefix() {
    ResourceToken token = provision();
    String aUrl = bind(token, "binding-a");
    String bUrl = bind(token, "binding-b");
    RedisCommands<String, String> a = probe.connect(aUrl).sync();
    RedisCommands<String, String> b = probe.connect(bUrl).sync();

    assertThat(user(aUrl)).startsWith("bnd_" + token + "_").isNotEqualTo(user(bUrl));
    assertThat(errorOf(a, "ACL WHOAMI")).startsWith("NOPERM");
    assertThat(a.set(token + ":k", "from-a")).isEqualTo("OK");
    assertThat(b.get(token + ":k")).isEqualTo("from-a");
    assertThatThrownBy(() -> a.get("platform:secret")).hasMessageContaining("NOPERM");
    assertThat(errorOf(a, "FLUSHALL")).startsWith("NOPERM");
    assertThat(errorOf(a, "KEYS *")).startsWith("NOPERM");
  }

  @Test
  void aBindingCannotReachAnotherTenantsKeys() {
    ResourceToken token = provision();
    ResourceToken other = provision();
    RedisCommands<String, String> a = probe.connect(bind(token, "binding-a")).sync();
    assertThatThrownBy(() -> a.set(other + ":k", "v")).hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> a.get(other + ":k")).hasMessageContaining("NOPERM");
  }

  @Test
  void bindingAgainGivesANewPasswordDisconnectsTheOldOneAndKeepsOneUser() {
    ResourceToken token = provision();
    String first = bind(token, "binding-a");
    StatefulRedisConnection<String, String> open = probe.connect(first);
    assertThat(open.sync().ping()).isEqualTo("PONG");

    String second = bind(token, "binding-a");

    assertThat(user(second)).isEqualTo(user(first));
    assertThat(authReply(first)).startsWith("-WRONGPASS");
    assertThat(authReply(second)).isEqualTo("+OK");
    await().atMost(Duration.ofSeconds(5)).until(() -> !open.isOpen());
    assertThat(bindingUsers(token)).hasSize(1);
  }

  @Test
  void droppingOneBindingLeavesTheOtherTheTenantAndTheKeys() {
    ResourceToken token = provision();
    String a = bind(token, "binding-a");
    String bUrl = bind(token, "binding-b");
    RedisCommands<String, String> b = probe.connect(bUrl).sync();
    StatefulRedisConnection<String, String> open = probe.connect(a);
    open.sync().set(token + ":k", "v");

    provisioner.dropBinding(request(token, "binding-a"));
    provisioner.dropBinding(request(token, "binding-a"));

    await().atMost(Duration.ofSeconds(5)).until(() -> !open.isOpen());
    assertThat(authReply(a)).startsWith("-WRONGPASS");
    assertThat(b.get(token + ":k")).isEqualTo("v");
    assertThat(bindingUsers(token)).containsExactly(user(bUrl));
  }

  @Test
  void theWriteBlockAppliesToBindingsMadeBeforeAndWhileBlocked() {
    ResourceToken token = provision();
    RedisCommands<String, String> before = probe.connect(bind(token, "before")).sync();

    assertThat(backend.setWritesBlocked(token, PRID, true)).isTrue();
    RedisCommands<String, String> during = probe.connect(bind(token, "during")).sync();

    for (RedisCommands<String, String> binding : List.of(before, during)) {
      assertThatThrownBy(() -> binding.set(token + ":k", "v")).hasMessageContaining("NOPERM");
      assertThat(binding.get(token + ":k")).isNull();
      assertThat(binding.del(token + ":k")).isZero();
    }
    assertThat(backend.setWritesBlocked(token, PRID, false)).isTrue();
    assertThat(before.set(token + ":k", "v")).isEqualTo("OK");
    assertThat(during.set(token + ":k2", "v")).isEqualTo("OK");
  }

  @Test
  void rotatingTheTenantsPasswordLeavesItsBindingsAlone() {
    ResourceToken token = provision();
    String a = bind(token, "binding-a");
    StatefulRedisConnection<String, String> open = probe.connect(a);

    provisioner.rotateCredentials(
        new RotateRequest(token, ResourceType.REDIS, PRID, RequestId.random()));

    assertThat(authReply(a)).isEqualTo("+OK");
    assertThat(open.sync().ping()).isEqualTo("PONG");
  }

  @Test
  void droppingTheResourceDeletesEveryBindingUser() {
    ResourceToken token = provision();
    bind(token, "binding-a");
    bind(token, "binding-b");
    provisioner.deprovision(
        new DeprovisionRequest(token, ResourceType.REDIS, PRID, "user_delete", RequestId.random()));
    assertThat(bindingUsers(token)).isEmpty();
    assertThat(admin.aclUsers()).doesNotContain("usr_" + token);
  }

  @Test
  void bindingAMissingResourceIsInvalidAndMakesNoUser() {
    ResourceToken token = ResourceToken.random();
    assertThatThrownBy(() -> bind(token, "binding-a"))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT));
    assertThat(bindingUsers(token)).isEmpty();
  }

  @Test
  void aBindingsConnectionsCountAgainstTheTenantsOneCap() {
    ResourceToken token = provision();
    StatefulRedisConnection<String, String> oldest = probe.connect(bind(token, "binding-a"));
    assertThat(oldest.sync().ping()).isEqualTo("PONG");
    String b = bind(token, "binding-b");
    StatefulRedisConnection<String, String> second = probe.connect(b);
    StatefulRedisConnection<String, String> newest = probe.connect(b);
    assertThat(second.sync().ping()).isEqualTo("PONG");
    assertThat(newest.sync().ping()).isEqualTo("PONG");

    assertThat(
            backend.usage().tenants().stream()
                .filter(t -> t.key().equals(token))
                .findFirst()
                .orElseThrow()
                .connections())
        .isEqualTo(3);
    assertThat(backend.closeConnectionsOver(token, PRID, 1)).isEqualTo(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> !second.isOpen() && !newest.isOpen());
    assertThat(oldest.sync().ping()).isEqualTo("PONG");
  }

  private static ResourceToken provision() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made =
        provisioner.provision(
            new ProvisionRequest(token, ResourceType.REDIS, Tier.PRO, RequestId.random()));
    assertThat(made.connectionUrl()).isNotEmpty();
    return token;
  }

  private static BindingRequest request(ResourceToken token, String bindingId) {
    return new BindingRequest(
        token, ResourceType.REDIS, PRID, BindingKey.ofBindingId(bindingId), RequestId.random());
  }

  private static String bind(ResourceToken token, String bindingId) {
    return provisioner.createBinding(request(token, bindingId)).connectionUrl();
  }

  private static String user(String url) {
    return URI.create(url).getUserInfo().split(":")[0];
  }

  private static List<String> bindingUsers(ResourceToken token) {
    return admin.aclUsers().stream().filter(u -> u.startsWith("bnd_" + token + "_")).toList();
  }
}
