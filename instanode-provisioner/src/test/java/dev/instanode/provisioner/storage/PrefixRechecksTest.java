package dev.instanode.provisioner.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.ObjectPrefix;
import dev.instanode.objects.ObjectStore;
import dev.instanode.objects.ObjectStoreSettings;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.TestDropAudit;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.testkit.TestObjectStore;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A presigned PUT issued before a drop can still write under the prefix until it expires: the drop
 * books the prefix for a second emptying, which removes what such a URL wrote.
 */
class PrefixRechecksTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static ObjectStore store;
  private static ProvisionerDatabase db;
  private static StorageBackend storage;
  private static PrefixRechecks rechecks;
  private static DeprovisionChokepoint chokepoint;

  @BeforeAll
  static void start() {
    Map<String, String> s = TestObjectStore.settings("rechecks");
    URI endpoint = URI.create(s.get("S3_ENDPOINT"));
    store =
        ObjectStore.open(
            new ObjectStoreSettings(
                endpoint,
                endpoint,
                s.get("S3_REGION"),
                s.get("S3_BUCKET"),
                s.get("S3_ACCESS_KEY"),
                s.get("S3_SECRET_KEY")));
    store.ensureBucket();
    db = ProvisionerDatabase.connect(TestPostgres.newDatabase("rechecks"), 2);
    db.migrate();
    storage = new StorageBackend(store, db.jdbi());
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    chokepoint =
        new DeprovisionChokepoint(
            new DropGuard(Set.of()),
            TestDropAudit.shared(),
            new Breakers(meters, Clock.systemUTC()),
            meters);
    rechecks = new PrefixRechecks(db.jdbi(), storage, chokepoint);
  }

  @AfterAll
  static void stop() {
    rechecks.close();
    store.close();
    db.close();
  }

  private static ObjectStore.Presigned putUrl(String key, int length) {
    return store.presign(
        ObjectStore.Method.PUT,
        key,
        Duration.ofMinutes(5),
        OptionalLong.of(length),
        Optional.empty());
  }

  private static int send(ObjectStore.Presigned put, String body) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(put.url()))
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void whatALateUrlWritesAfterADropIsEmptiedOnceTheRecheckIsDue() throws Exception {
    ResourceToken token = ResourceToken.random();
    ObjectPrefix prefix = ObjectPrefix.of(token);
    assertThat(send(putUrl(prefix.value() + "a.txt", 3), "one")).isEqualTo(200);
    ObjectStore.Presigned late = putUrl(prefix.value() + "late.txt", 4);

    chokepoint.drop(
        storage,
        token,
        ProviderResourceId.of(StorageBackend.PROVIDER),
        "user_delete",
        RequestId.random());
    assertThat(store.usage(prefix).objects()).isZero();
    assertThat(send(late, "late")).as("a URL issued before the drop still works").isEqualTo(200);
    assertThat(store.usage(prefix).objects()).isEqualTo(1);

    assertThat(rechecks.runOnce()).as("not due for an hour").isZero();
    assertThat(store.usage(prefix).objects()).isEqualTo(1);

    db.jdbi()
        .useHandle(h ->
            h.createUpdate("UPDATE object_prefix_rechecks SET due_at = now() WHERE token = :t")
                .bind("t", token.value())
                .execute());
    assertThat(rechecks.runOnce()).isEqualTo(1);
    assertThat(store.usage(prefix).objects()).as("emptied again").isZero();
    long booked =
        db.jdbi()
            .withHandle(h ->
                h.createQuery("SELECT count(*) FROM object_prefix_rechecks")
                    .mapTo(Long.class)
                    .one());
    assertThat(booked).as("settled, and not booked again by its own drop").isZero();
  }
}
