package dev.instanode.provisioner.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.Tier;
import dev.instanode.embedded.EmbeddedRedisServer;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache answered 201 survives a crash of its Redis even when concurrent provisions share one ACL
 * SAVE: the server is killed with SIGKILL (nothing flushed on the way down) and started again from
 * its files.
 */
class AclDurabilityTest {
  private static final String PASSWORD = "durability-admin-password";

  @Test
  void everyUserAProvisionReportedSurvivesAKilledRedis(@TempDir Path dir) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    List<ProvisionResult> made = new ArrayList<>();
    int port;
    EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir, 0, PASSWORD);
    try {
      port = redis.port();
      try (RedisBackend backend =
          new RedisBackend(
              RedisEndpoint.of(redis.adminUrl()),
              Plans.bundled(),
              ProvisionStepHook.NONE,
              meters)) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
          List<Future<ProvisionResult>> futures = new ArrayList<>();
          for (int i = 0; i < 16; i++) {
            futures.add(
                pool.submit(() ->
                    backend.provision(ResourceToken.random(), Tier.ANONYMOUS, RequestId.random())));
          }
          for (Future<ProvisionResult> f : futures) {
            made.add(f.get(30, TimeUnit.SECONDS));
          }
        }
      }
      long pid = Long.parseLong(Files.readString(dir.resolve("redis.pid")).trim());
      ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
      process.destroyForcibly();
      process.onExit().get(10, TimeUnit.SECONDS);
    } finally {
      redis.close();
    }
    assertThat(meters.counter("instant_customer_redis_acl_saves_total").count()).isPositive();

    try (EmbeddedRedisServer restarted = EmbeddedRedisServer.start(dir, port, PASSWORD)) {
      for (ProvisionResult result : made) {
        RedisClient client = RedisClient.create(result.connectionUrl());
        try (StatefulRedisConnection<String, String> tenant = client.connect()) {
          assertThat(tenant.sync().ping()).isEqualTo("PONG");
        } finally {
          client.shutdown();
        }
      }
    }
  }
}
