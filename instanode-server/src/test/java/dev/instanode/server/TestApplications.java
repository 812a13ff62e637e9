package dev.instanode.server;

import dev.instanode.core.PostgresUrl;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.TestObjectStore;
import dev.instanode.testkit.TestPostgres;
import dev.instanode.testkit.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Starts the real composition root against the test JVM's embedded Postgres and Redis. */
final class TestApplications {
  private static final AtomicInteger NEXT_DB = new AtomicInteger();

  private TestApplications() {}

  /** Settings for a fresh platform database; customers go on the shared test cluster. */
  static Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", TestPostgres.newDatabase("platform").toUri());
    env.put("CUSTOMER_DATABASE_URLS", TestPostgres.adminUrl().toUri());
    // Each application gets its own Redis database for platform keys (rate limits, idempotency),
    // so one test's counters never leak into another's; customer caches stay in database 0.
    String platformRedis =
        TestRedis.adminUrl().replaceFirst("/0$", "/" + (1 + NEXT_DB.getAndIncrement() % 15));
    try (RedisClient client = RedisClient.create(platformRedis);
        StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().flushdb();
    }
    env.put("REDIS_URL", platformRedis);
    env.put("CUSTOMER_REDIS_URL", TestRedis.adminUrl());
    env.put("AES_KEY", AesGcm.generateHexKey());
    env.put("JWT_SECRET", "j".repeat(32));
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    // Live provisioning unless a test asks for the pool: keeps row and database counts exact.
    env.put("POOL_POSTGRES_SIZE", "0");
    env.put("POOL_REDIS_SIZE", "0");
    env.put("TRUSTED_PROXIES", "127.0.0.1/32");
    // Object storage on the test JVM's S3Proxy, a bucket of its own per application.
    env.putAll(TestObjectStore.settings("app"));
    // No queues: the test nats-server's authorization is written from one provisioner schema, so
    // only the queue tests' application is given it (QueueHttpTest).
    return env;
  }

  static Application start(Map<String, String> env, ProvisionStepHook hook) {
    return Application.start(
        Config.from(env), Set.of(Role.API), new Application.Options(true, hook, Clock.systemUTC()));
  }

  static Application start() {
    return start(environment(), ProvisionStepHook.NONE);
  }

  static PostgresUrl platformUrl(Map<String, String> env) {
    return PostgresUrl.parse(env.get("DATABASE_URL"));
  }
}
