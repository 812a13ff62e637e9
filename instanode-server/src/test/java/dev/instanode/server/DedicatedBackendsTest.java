package dev.instanode.server;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.cluster.DedicatedCluster;
import dev.instanode.cluster.DedicatedObjects;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.Installation;
import dev.instanode.cluster.StackObjects;
import dev.instanode.core.Plans;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.Sha256;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.provisioner.BindingRequest;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.dedicated.DedicatedBackend;
import dev.instanode.provisioner.dedicated.DedicatedPostgresBackend;
import dev.instanode.provisioner.dedicated.DedicatedRedisBackend;
import dev.instanode.provisioner.dedicated.DedicatedSettings;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.DropAudit;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.engine.ResourceBackend;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.testkit.TestPostgres;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dedicated backends' lifecycle past provisioning, on the mock cluster with {@link FakeKubelet}
 * running real servers: regrade (a role's cap; Redis {@code maxclients}/{@code maxmemory} through
 * CONFIG SET, kept in the Secret for a restart), a missing namespace as an unexpected skip,
 * rotation, usage, Redis bindings (kept by a restarted server as its Secret says), and a crashed
 * provision's namespace dropped by a deprovision that knows no placement.
 */
@EnableKubernetesMockClient(crud = true)
class DedicatedBackendsTest {
  static KubernetesClient client;
  private static FakeKubelet kubelet;
  private static DedicatedCluster cluster;
  private static DedicatedPostgresBackend postgres;
  private static DedicatedRedisBackend redis;
  private static final TeamId TEAM = new TeamId(UUID.randomUUID());

  @BeforeAll
  static void start() throws Exception {
    kubelet = new FakeKubelet(client);
    cluster = new Fabric8StackCluster(client, false, () -> {}).dedicated(kubelet.addresses());
    DedicatedSettings settings =
        new DedicatedSettings(
            DedicatedSettings.DEFAULT_POSTGRES_IMAGE,
            DedicatedSettings.DEFAULT_REDIS_IMAGE,
            Duration.ofSeconds(90),
            Duration.ofMillis(100),
            Optional.empty(),
            false);
    postgres =
        new DedicatedPostgresBackend(
            cluster, settings, Plans.bundled(), ProvisionStepHook.NONE, Clock.systemUTC());
    redis = new DedicatedRedisBackend(cluster, settings, Plans.bundled(), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    redis.close();
    kubelet.close();
  }

  private static String ns(ResourceToken token) {
    return "instant-customer-" + token.text();
  }

  private static long scalar(PostgresUrl url, String sql) throws Exception {
    try (Connection c = TestPostgres.connect(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aPostgresRegradeSetsTheRolesCapAndAMissingNamespaceIsAnUnexpectedSkip() throws Exception {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made = postgres.provision(token, Tier.PRO, TEAM, RequestId.random());
    assertThat(made.providerResourceId().wire()).isEqualTo("k8s:" + ns(token));
    assertThat(made.appliedConnLimit()).isEqualTo(20);
    PostgresUrl url = PostgresUrl.parse(made.connectionUrl());
    String capOf = "SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user";
    assertThat(scalar(url, capOf)).isEqualTo(20);

    RegradeResult up = postgres.regrade(token, made.providerResourceId(), Tier.TEAM);
    assertThat(up.applied()).isTrue();
    assertThat(scalar(url, capOf)).isEqualTo(-1);
    RegradeResult again = postgres.regrade(token, made.providerResourceId(), Tier.TEAM);
    assertThat(again.skipCode()).contains(SkipReason.ALREADY_CORRECT);

    client.namespaces().withName(ns(token)).delete();
    RegradeResult gone = postgres.regrade(token, made.providerResourceId(), Tier.PRO);
    assertThat(gone.applied()).isFalse();
    assertThat(gone.skipCode()).contains(SkipReason.NAMESPACE_NOT_FOUND);
    // Seed 004: never counted as done, so the propagation retries and then dead-letters.
    assertThat(gone.skipCode().orElseThrow().expected()).isFalse();
  }

  @Test
  void aRedisRegradeSetsItsCapsThroughConfigSetAndKeepsThemInTheSecretForARestart() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made = redis.provision(token, Tier.PRO, TEAM, RequestId.random());
    String admin = adminUrl(token);
    try (RedisClient c = RedisClient.create(admin);
        StatefulRedisConnection<String, String> conn = c.connect()) {
      assertThat(conn.sync().configGet("maxmemory").get("maxmemory"))
          .isEqualTo(Long.toString(512L * 1024 * 1024));
      assertThat(conn.sync().configGet("maxclients").get("maxclients")).isEqualTo("204");

      RegradeResult up = redis.regrade(token, made.providerResourceId(), Tier.TEAM);
      assertThat(up.applied()).isTrue();
      assertThat(conn.sync().configGet("maxmemory").get("maxmemory"))
          .isEqualTo(Long.toString(1536L * 1024 * 1024));
      assertThat(conn.sync().configGet("maxclients").get("maxclients")).isEqualTo("1004");
      assertThat(conn.sync().configGet("maxmemory-policy").get("maxmemory-policy"))
          .isEqualTo("noeviction");
    }
    assertThat(secret(token, "maxmemory")).isEqualTo(Long.toString(1536L * 1024 * 1024));
    assertThat(redis.regrade(token, made.providerResourceId(), Tier.TEAM).skipCode())
        .contains(SkipReason.ALREADY_CORRECT);

    client.namespaces().withName(ns(token)).delete();
    RegradeResult gone = redis.regrade(token, made.providerResourceId(), Tier.PRO);
    assertThat(gone.skipCode()).contains(SkipReason.NAMESPACE_NOT_FOUND);
    assertThat(gone.skipCode().orElseThrow().expected()).isFalse();
  }

  @Test
  void aRedisRotationEndsTheOldPasswordAndAUsagePassSeesTheTenant() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made = redis.provision(token, Tier.PRO, TEAM, RequestId.random());
    RedisClient old = RedisClient.create(made.connectionUrl());
    // A killed session must fail the next command, not be silently re-opened and retried.
    old.setOptions(ClientOptions.builder().autoReconnect(false).build());
    StatefulRedisConnection<String, String> open = old.connect();
    open.sync().set("k", "x".repeat(10_000));

    UsageReport usage = redis.usage();
    assertThat(usage.complete()).isTrue();
    TenantUsage mine =
        usage.tenants().stream().filter(t -> t.key().equals(token)).findFirst().orElseThrow();
    assertThat(mine.bytes()).isGreaterThan(10_000);
    assertThat(mine.connections()).isEqualTo(1);
    assertThat(mine.writesBlocked()).isFalse();

    String fresh = redis.rotateCredentials(token, made.providerResourceId());
    assertThat(fresh).isNotEqualTo(made.connectionUrl());
    assertThat(secret(token, "tenant-password")).isEqualTo(fresh.split(":")[2].split("@")[0]);
    // The open session is ended, and the old password no longer opens one.
    assertThatThrownBy(() -> open.sync().get("k")).isInstanceOf(Exception.class);
    open.close();
    assertThatThrownBy(old::connect).isInstanceOf(Exception.class);
    old.shutdown();
    try (RedisClient c = RedisClient.create(fresh);
        StatefulRedisConnection<String, String> conn = c.connect()) {
      assertThat(conn.sync().get("k")).hasSize(10_000);
      // Nor can the tenant make itself another user.
      assertThatThrownBy(() -> conn.sync().aclSetuser("x", AclSetuserArgs.Builder.on()))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageContaining("NOPERM");
    }
  }

  @Test
  void anotherInstallationsServersOnTheClusterAreNeverReadNorMeasured() {
    // Production's Redis, Ready, beside this (staging) installation's: its Secret is not ours to
    // read, its tenant not ours to measure or hold to a plan.
    String theirs = "instant-customer-" + ResourceToken.random().text();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(theirs)
                .addToLabels(StackObjects.MANAGED_BY, StackObjects.MANAGER)
                .addToLabels(Installation.LABEL, "production-1")
                .addToLabels(DedicatedObjects.RESOURCE_TYPE, "redis")
                .endMetadata()
                .build())
        .create();
    client.pods().inNamespace(theirs).resource(FakeKubelet.pod("redis", Optional.empty())).create();

    UsageReport usage = redis.usage();

    assertThat(usage.complete()).isTrue();
    assertThat(usage.tenants()).noneMatch(t -> theirs.endsWith(t.key().text()));
  }

  @Test
  void aProvisionInterruptedWhileItWaitsStillTearsItsServerDown() throws Exception {
    ProvisionerDatabase drops = dropAudit("dedicated_interrupt");
    LocalProvisioner provisioner = provisioner(drops, List.of(), List.of(redis));
    ResourceToken token = ResourceToken.random();
    kubelet.hold("ContainerCreating");
    AtomicReference<Throwable> failed = new AtomicReference<>();
    try {
      Thread waiting =
          Thread.ofVirtual()
              .start(() -> {
                try {
                  provisioner.provision(
                      new ProvisionRequest(
                          token,
                          ResourceType.REDIS,
                          Tier.PRO,
                          RequestId.random(),
                          Optional.of(TEAM)));
                } catch (Throwable t) {
                  failed.set(t);
                }
              });
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> client.namespaces().withName(ns(token)).get() != null);
      // As at shutdown: the background executor interrupts every wait.
      waiting.interrupt();
      waiting.join(Duration.ofSeconds(30));
    } finally {
      kubelet.release();
      drops.close();
    }
    assertThat(failed.get()).isInstanceOf(ProvisionerException.class);
    assertThat(client.namespaces().withName(ns(token)).get()).isNull();
  }

  @Test
  void aDeprovisionThatKnowsNoPlacementAlsoDropsTheDedicatedNamespaceACrashLeft() {
    ProvisionerDatabase drops = dropAudit("dedicated_drops");
    try (ClusterPlacement placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()))) {
      LocalProvisioner provisioner =
          provisioner(
              drops,
              List.of(new PostgresBackend(placement, Plans.bundled(), ProvisionStepHook.NONE)),
              List.of(postgres));
      assertThat(provisioner.dedicatedTypes()).containsExactly(ResourceType.POSTGRES);
      // A provision whose api died before it recorded where the server went.
      ResourceToken token = ResourceToken.random();
      postgres.provision(token, Tier.PRO, TEAM, RequestId.random());
      assertThat(client.namespaces().withName(ns(token)).get()).isNotNull();

      provisioner.deprovision(
          new DeprovisionRequest(
              token,
              ResourceType.POSTGRES,
              ProviderResourceId.NONE,
              "reconcile_abandoned",
              RequestId.random()));
      assertThat(client.namespaces().withName(ns(token)).get()).isNull();
      await().atMost(Duration.ofSeconds(20)).until(() -> !kubelet.running(ns(token)));
    } finally {
      drops.close();
    }
  }

  @Test
  void eachBindingOfADedicatedRedisLogsInWithItsOwnPasswordAndABindAgainRenewsOnlyThat() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made = redis.provision(token, Tier.PRO, TEAM, RequestId.random());
    ProviderResourceId prid = made.providerResourceId();
    BindingKey one = BindingKey.ofBindingId("one");
    BindingKey two = BindingKey.ofBindingId("two");
    String first = redis.createBinding(token, prid, one);
    String second = redis.createBinding(token, prid, two);

    assertThat(user(first))
        .isEqualTo(BindingLogin.of(token, one).value())
        .isNotEqualTo(user(second));
    set(first, "k1", "from one");
    set(second, "k2", "from two");
    // The tenant's keys: the tenant reads what each binding wrote.
    assertThat(get(made.connectionUrl(), "k1")).isEqualTo("from one");
    assertThat(get(first, "k2")).isEqualTo("from two");
    assertThat(redis.bindingLogins(token, prid))
        .extracting(BindingLogin::value)
        .containsExactlyInAnyOrder(
            BindingLogin.of(token, one).value(), BindingLogin.of(token, two).value());
    // The Secret names each by its password's hash, never the password.
    String file = secret(token, "binding-users");
    assertThat(file.lines())
        .containsExactlyInAnyOrder(
            "user " + BindingLogin.of(token, one) + " on #" + hash(first) + " ~* &* +@all -@admin",
            "user "
                + BindingLogin.of(token, two)
                + " on #"
                + hash(second)
                + " ~* &* +@all -@admin");
    assertThat(file).doesNotContain(password(first)).doesNotContain(password(second));

    RedisClient old = RedisClient.create(first);
    old.setOptions(ClientOptions.builder().autoReconnect(false).build());
    StatefulRedisConnection<String, String> open = old.connect();
    String renewed = redis.createBinding(token, prid, one);

    assertThat(password(renewed)).isNotEqualTo(password(first));
    assertThatThrownBy(() -> open.sync().get("k1")).isInstanceOf(Exception.class);
    open.close();
    old.shutdown();
    assertRefused(first);
    assertThat(get(renewed, "k1")).isEqualTo("from one");
    assertThat(get(second, "k1")).isEqualTo("from one");
    assertThat(secret(token, "binding-users").lines())
        .hasSize(2)
        .contains(
            "user "
                + BindingLogin.of(token, one)
                + " on #"
                + hash(renewed)
                + " ~* &* +@all -@admin");
    // A binding may do what the tenant may, and no more.
    try (RedisClient c = RedisClient.create(renewed);
        StatefulRedisConnection<String, String> conn = c.connect()) {
      assertThatThrownBy(() -> conn.sync().configSet("maxmemory", "0"))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageContaining("NOPERM");
    }

    // Half-done work is still listed, so the resource's drop reaches it: a user an unbind took
    // from the Secret and not yet from the server, and one a bind wrote to the Secret only.
    String userOne = BindingLogin.of(token, one).value();
    String userTwo = BindingLogin.of(token, two).value();
    cluster.editAdminSecret(
        NamespaceName.forCustomer(token),
        "redis",
        "binding-users",
        f -> f.lines().filter(l -> !l.contains(userTwo)).map(l -> l + "\n").collect(joining()));
    try (RedisClient c = RedisClient.create(adminUrl(token));
        StatefulRedisConnection<String, String> conn = c.connect()) {
      conn.sync().aclDeluser(userOne);
    }
    assertThat(redis.bindingLogins(token, prid))
        .extracting(BindingLogin::value)
        .containsExactlyInAnyOrder(userOne, userTwo);
  }

  @Test
  void anUnbindLeavesTheRestAndARestartedServerLetsInWhatItsSecretNamesAlone() {
    ProvisionerDatabase drops = dropAudit("dedicated_bindings");
    try {
      LocalProvisioner provisioner = provisioner(drops, List.of(), List.of(redis));
      ResourceToken token = ResourceToken.random();
      ProvisionResult made = redis.provision(token, Tier.PRO, TEAM, RequestId.random());
      ProviderResourceId prid = made.providerResourceId();
      BindingKey kept = BindingKey.ofBindingId("kept");
      BindingKey dropped = BindingKey.ofBindingId("dropped");
      String before = redis.createBinding(token, prid, kept);
      String keptUrl = redis.createBinding(token, prid, kept);
      String droppedUrl = redis.createBinding(token, prid, dropped);

      provisioner.dropBinding(
          new BindingRequest(token, ResourceType.REDIS, prid, dropped, RequestId.random()));
      assertRefused(droppedUrl);
      set(keptUrl, "k", "v");
      assertThat(get(made.connectionUrl(), "k")).isEqualTo("v");
      assertThat(redis.bindingLogins(token, prid))
          .extracting(BindingLogin::value)
          .containsExactly(BindingLogin.of(token, kept).value());
      // Again: nothing left to drop is no error.
      redis.dropBinding(token, prid, dropped);

      kubelet.restart(ns(token), "redis");

      set(keptUrl, "k", "after the restart");
      assertThat(get(made.connectionUrl(), "k")).isEqualTo("after the restart");
      assertRefused(droppedUrl);
      assertRefused(before);
      assertThat(redis.bindingLogins(token, prid))
          .extracting(BindingLogin::value)
          .containsExactly(BindingLogin.of(token, kept).value());

      provisioner.deprovision(
          new DeprovisionRequest(
              token, ResourceType.REDIS, prid, "user_delete", RequestId.random()));
      assertThat(client.namespaces().withName(ns(token)).get()).isNull();
      await().atMost(Duration.ofSeconds(20)).until(() -> !kubelet.running(ns(token)));
      assertThatThrownBy(() -> get(keptUrl, "k")).isInstanceOf(Exception.class);
      assertThat(redis.bindingLogins(token, prid)).isEmpty();
      redis.dropBinding(token, prid, kept);
      assertThatThrownBy(() -> redis.createBinding(token, prid, kept))
          .isInstanceOfSatisfying(
              ProvisionerException.class,
              e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT));
    } finally {
      drops.close();
    }
  }

  @Test
  void aUsagePassPutsTheServersBindingUsersBackToWhatItsSecretNames() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made = redis.provision(token, Tier.PRO, TEAM, RequestId.random());
    String kept =
        redis.createBinding(token, made.providerResourceId(), BindingKey.ofBindingId("k"));
    String stray = BindingLogin.of(token, BindingKey.ofBindingId("unbound")).value();
    String strayUrl = kept.replace(user(kept) + ":" + password(kept), stray + ":stray-password");
    // As a container restarted from a copy of the Secret older than a bind and an unbind would.
    try (RedisClient c = RedisClient.create(adminUrl(token));
        StatefulRedisConnection<String, String> admin = c.connect()) {
      admin.sync().aclDeluser(user(kept));
      admin
          .sync()
          .aclSetuser(
              stray,
              AclSetuserArgs.Builder.on()
                  .addPassword("stray-password")
                  .allKeys()
                  .allChannels()
                  .allCommands());
    }
    assertRefused(kept);
    set(strayUrl, "k", "stray");

    redis.usage();

    set(kept, "k", "bound");
    assertRefused(strayUrl);
    assertThat(get(made.connectionUrl(), "k")).isEqualTo("bound");
  }

  @Test
  void aServerMadeBeforeBindingsStillStartsAndRefusesThem() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made = redis.provision(token, Tier.PRO, TEAM, RequestId.random());
    ProviderResourceId prid = made.providerResourceId();
    // As such a server was made: no key in its Secret, no file read at its start.
    client
        .secrets()
        .inNamespace(ns(token))
        .withName("redis-admin")
        .edit(s -> {
          s.getData().remove("binding-users");
          return s;
        });
    client
        .apps()
        .deployments()
        .inNamespace(ns(token))
        .withName("redis")
        .edit(d -> {
          var pod = d.getSpec().getTemplate().getSpec();
          pod.getContainers().getFirst().getArgs().remove(1);
          pod.getContainers()
              .getFirst()
              .getVolumeMounts()
              .removeIf(m -> m.getName().startsWith("secret-files"));
          pod.getVolumes().removeIf(v -> v.getSecret() != null);
          return d;
        });
    kubelet.restart(ns(token), "redis");
    set(made.connectionUrl(), "k", "v");

    assertThatThrownBy(() -> redis.createBinding(token, prid, BindingKey.ofBindingId("b")))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("predates bindings");
            });
    assertThat(client.secrets().inNamespace(ns(token)).withName("redis-admin").get().getData())
        .doesNotContainKey("binding-users");
    redis.dropBinding(token, prid, BindingKey.ofBindingId("b"));
    assertThat(redis.bindingLogins(token, prid)).isEmpty();
  }

  @Test
  void aBindingOfATenantThatIsGoneIsRefusedAndNothingIsWritten() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made = redis.provision(token, Tier.PRO, TEAM, RequestId.random());
    try (RedisClient c = RedisClient.create(adminUrl(token));
        StatefulRedisConnection<String, String> conn = c.connect()) {
      conn.sync().aclDeluser(secret(token, "tenant-user"));
    }
    assertThatThrownBy(() ->
            redis.createBinding(token, made.providerResourceId(), BindingKey.ofBindingId("b")))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT));
    assertThat(secret(token, "binding-users")).isEmpty();
  }

  private static void set(String url, String key, String value) {
    try (RedisClient c = RedisClient.create(url);
        StatefulRedisConnection<String, String> conn = c.connect()) {
      assertThat(conn.sync().set(key, value)).isEqualTo("OK");
    }
  }

  private static String get(String url, String key) {
    try (RedisClient c = RedisClient.create(url);
        StatefulRedisConnection<String, String> conn = c.connect()) {
      return conn.sync().get(key);
    }
  }

  /** The server answers, and refuses these credentials. */
  private static void assertRefused(String url) {
    try (RedisClient c = RedisClient.create(url)) {
      assertThatThrownBy(c::connect).hasStackTraceContaining("WRONGPASS");
    }
  }

  private static String user(String url) {
    return URI.create(url).getUserInfo().split(":")[0];
  }

  private static String password(String url) {
    return URI.create(url).getUserInfo().split(":")[1];
  }

  private static String hash(String url) {
    return Sha256.hex(password(url));
  }

  /** The provisioner's own schema on a fresh database: where the chokepoint audits drops. */
  private static ProvisionerDatabase dropAudit(String name) {
    ProvisionerDatabase drops = ProvisionerDatabase.connect(TestPostgres.newDatabase(name), 2);
    drops.migrate();
    return drops;
  }

  private static LocalProvisioner provisioner(
      ProvisionerDatabase drops, List<ResourceBackend> shared, List<DedicatedBackend> dedicated) {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Breakers breakers = new Breakers(meters, Clock.systemUTC());
    return new LocalProvisioner(
        shared,
        dedicated,
        new DeprovisionChokepoint(
            new DropGuard(Set.of()), new DropAudit(drops.jdbi()), breakers, meters),
        breakers,
        Optional.empty());
  }

  private static String secret(ResourceToken token, String key) {
    Secret s = client.secrets().inNamespace(ns(token)).withName("redis-admin").get();
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }

  private static String adminUrl(ResourceToken token) {
    int port = kubelet.address(ns(token), "redis").orElseThrow().port();
    return "redis://default:" + secret(token, "admin-password") + "@127.0.0.1:" + port + "/0";
  }
}
