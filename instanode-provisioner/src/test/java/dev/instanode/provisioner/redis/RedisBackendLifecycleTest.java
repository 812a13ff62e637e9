package dev.instanode.provisioner.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.Tier;
import dev.instanode.embedded.EmbeddedRedisServer;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/** The backend across Redis outages and restarts, each test on a Redis of its own. */
class RedisBackendLifecycleTest {
  private static final String ADMIN_PASSWORD = "lifecycle-admin-password";
  private static final Duration FAST = Duration.ofSeconds(3);

  @Test
  void aRedisThatIsDownFailsEveryCallQuicklyWithUnavailable() throws IOException {
    int closedPort = closedPort();
    RedisEndpoint endpoint =
        RedisEndpoint.of("redis://default:" + ADMIN_PASSWORD + "@127.0.0.1:" + closedPort + "/0")
            .withConnectTimeout(Duration.ofSeconds(2));
    // Construction must not need Redis: the process starts while Redis is down.
    try (RedisBackend backend =
        new RedisBackend(
            endpoint, Plans.bundled(), ProvisionStepHook.NONE, new SimpleMeterRegistry())) {
      ResourceToken token = ResourceToken.random();
      assertUnavailableWithin(
          FAST, () -> backend.provision(token, Tier.ANONYMOUS, RequestId.random()));
      assertUnavailableWithin(FAST, () -> backend.drop(token, ProviderResourceId.of("redis:0")));
      assertUnavailableWithin(
          FAST, () -> backend.storageBytes(token, ProviderResourceId.of("redis:0")));
      assertUnavailableWithin(
          FAST, () -> backend.rotateCredentials(token, ProviderResourceId.of("redis:0")));
    }
  }

  @Test
  void aRedisThatStopsAfterConnectingFailsQuicklyWithUnavailable(@TempDir Path dir) {
    EmbeddedRedisServer server = EmbeddedRedisServer.start(dir, 0, ADMIN_PASSWORD);
    try (RedisBackend backend = backendFor(server)) {
      backend.provision(ResourceToken.random(), Tier.ANONYMOUS, RequestId.random());
      server.close();
      // The open connection now reconnects in the background; commands must not queue behind it.
      // The command list is cached, so the first command sent is the creation stamp's HSET: no
      // user exists yet, so nothing is handed back to drop.
      long start = System.nanoTime();
      assertThatThrownBy(
              () -> backend.provision(ResourceToken.random(), Tier.ANONYMOUS, RequestId.random()))
          .isInstanceOf(ProvisionerException.class)
          .extracting(e -> ((ProvisionerException) e).kind())
          .isEqualTo(ProvisionerException.Kind.UNAVAILABLE);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST);
    } finally {
      server.close();
    }
  }

  @Test
  void aProvisionedUserSurvivesARestartAndADroppedOneStaysGone(@TempDir Path dir) {
    ResourceToken kept = ResourceToken.random();
    ResourceToken dropped = ResourceToken.random();
    ProvisionResult keptResult;
    ProvisionResult droppedResult;
    EmbeddedRedisServer first = EmbeddedRedisServer.start(dir, 0, ADMIN_PASSWORD);
    try (RedisBackend backend = backendFor(first)) {
      keptResult = backend.provision(kept, Tier.ANONYMOUS, RequestId.random());
      droppedResult = backend.provision(dropped, Tier.ANONYMOUS, RequestId.random());
      backend.drop(dropped, droppedResult.providerResourceId());
    } finally {
      first.close();
    }

    EmbeddedRedisServer second = EmbeddedRedisServer.start(dir, 0, ADMIN_PASSWORD);
    try (RedisProbe probe = new RedisProbe()) {
      assertThat(probe.connect(onPort(keptResult, second.port())).sync().ping()).isEqualTo("PONG");
      assertThat(RedisProbe.authReply(onPort(droppedResult, second.port())))
          .startsWith("-WRONGPASS");
    } finally {
      second.close();
    }
  }

  @Test
  void aRotatedPasswordSurvivesARestart(@TempDir Path dir) {
    ResourceToken token = ResourceToken.random();
    ProvisionResult provisioned;
    String rotated;
    EmbeddedRedisServer first = EmbeddedRedisServer.start(dir, 0, ADMIN_PASSWORD);
    try (RedisBackend backend = backendFor(first)) {
      provisioned = backend.provision(token, Tier.ANONYMOUS, RequestId.random());
      rotated = backend.rotateCredentials(token, provisioned.providerResourceId());
    } finally {
      first.close();
    }

    EmbeddedRedisServer second = EmbeddedRedisServer.start(dir, 0, ADMIN_PASSWORD);
    try (RedisProbe probe = new RedisProbe()) {
      assertThat(probe.connect(onPort(rotated, second.port())).sync().ping()).isEqualTo("PONG");
      assertThat(RedisProbe.authReply(onPort(provisioned, second.port()))).startsWith("-WRONGPASS");
    } finally {
      second.close();
    }
  }

  /** In production a Redis may have no aclfile: ACL SAVE then errors, and that must not matter. */
  @Test
  void aRedisWithoutAnAclFileStillProvisionsAndDrops(@TempDir Path dir) throws IOException {
    int port = closedPort();
    RedisServer server =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("dir " + dir.toAbsolutePath())
            .setting("requirepass " + ADMIN_PASSWORD)
            .onShutdownForceStop(true)
            .build();
    server.start();
    RedisEndpoint endpoint =
        RedisEndpoint.of("redis://default:" + ADMIN_PASSWORD + "@127.0.0.1:" + port + "/0");
    try (RedisBackend backend =
            new RedisBackend(
                endpoint, Plans.bundled(), ProvisionStepHook.NONE, new SimpleMeterRegistry());
        RedisProbe probe = new RedisProbe()) {
      ResourceToken token = ResourceToken.random();
      ProvisionResult result = backend.provision(token, Tier.ANONYMOUS, RequestId.random());
      assertThat(probe.connect(result.connectionUrl()).sync().set(token + ":k", "v"))
          .isEqualTo("OK");
      backend.drop(token, result.providerResourceId());
      assertThat(RedisProbe.authReply(result.connectionUrl())).startsWith("-WRONGPASS");
    } finally {
      server.stop();
    }
  }

  @Test
  void aRedisWithoutAnAclFileStillRotates(@TempDir Path dir) throws IOException {
    int port = closedPort();
    RedisServer server =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("dir " + dir.toAbsolutePath())
            .setting("requirepass " + ADMIN_PASSWORD)
            .onShutdownForceStop(true)
            .build();
    server.start();
    RedisEndpoint endpoint =
        RedisEndpoint.of("redis://default:" + ADMIN_PASSWORD + "@127.0.0.1:" + port + "/0");
    try (RedisBackend backend =
            new RedisBackend(
                endpoint, Plans.bundled(), ProvisionStepHook.NONE, new SimpleMeterRegistry());
        RedisProbe probe = new RedisProbe()) {
      ResourceToken token = ResourceToken.random();
      ProvisionResult result = backend.provision(token, Tier.ANONYMOUS, RequestId.random());
      String rotated = backend.rotateCredentials(token, result.providerResourceId());
      assertThat(probe.connect(rotated).sync().ping()).isEqualTo("PONG");
      assertThat(RedisProbe.authReply(result.connectionUrl())).startsWith("-WRONGPASS");
    } finally {
      server.stop();
    }
  }

  private static RedisBackend backendFor(EmbeddedRedisServer server) {
    return new RedisBackend(
        RedisEndpoint.of(server.adminUrl()),
        Plans.bundled(),
        ProvisionStepHook.NONE,
        new SimpleMeterRegistry());
  }

  private static String onPort(ProvisionResult result, int port) {
    return onPort(result.connectionUrl(), port);
  }

  private static String onPort(String url, int port) {
    return url.replaceFirst(":\\d+/0$", ":" + port + "/0");
  }

  private static void assertUnavailableWithin(Duration limit, ThrowingCallable call) {
    long start = System.nanoTime();
    assertThatThrownBy(call)
        .isInstanceOf(ProvisionerException.class)
        .extracting(e -> ((ProvisionerException) e).kind())
        .isEqualTo(ProvisionerException.Kind.UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(limit);
  }

  // Nothing listens on it once the probe socket closes (a small race with other processes).
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
