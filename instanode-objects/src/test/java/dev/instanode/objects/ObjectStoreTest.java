package dev.instanode.objects;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.ObjectPrefix;
import dev.instanode.testkit.TestObjectStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The platform's view of the bucket, against a real S3-compatible server (S3Proxy on files). */
class ObjectStoreTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static ObjectStore store;

  @BeforeAll
  static void open() {
    Map<String, String> s = TestObjectStore.settings("objects");
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
    store.ensureBucket(); // again: already there is fine
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static int put(String key, String body) throws Exception {
    ObjectStore.Presigned p =
        store.presign(
            ObjectStore.Method.PUT,
            key,
            Duration.ofMinutes(1),
            OptionalLong.of(body.length()),
            Optional.empty());
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(p.url()))
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static HttpResponse<String> get(String key) throws Exception {
    ObjectStore.Presigned p =
        store.presign(
            ObjectStore.Method.GET,
            key,
            Duration.ofMinutes(1),
            OptionalLong.empty(),
            Optional.empty());
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(p.url())).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPresignedPutAndGetRoundTripTheBytesAndTheSignedLengthHolds() throws Exception {
    ObjectPrefix prefix = ObjectPrefix.of(ResourceToken.random());
    assertThat(put(prefix.value() + "a.txt", "hello world")).isEqualTo(200);
    HttpResponse<String> got = get(prefix.value() + "a.txt");
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo("hello world");

    // A URL signed for 11 bytes takes no other length.
    ObjectStore.Presigned eleven =
        store.presign(
            ObjectStore.Method.PUT,
            prefix.value() + "b.txt",
            Duration.ofMinutes(1),
            OptionalLong.of(11),
            Optional.empty());
    assertThat(eleven.headers()).containsKey("content-length");
    int status =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(eleven.url()))
                    .PUT(HttpRequest.BodyPublishers.ofString("a much longer body than signed"))
                    .build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
    assertThat(status).isEqualTo(403);
    assertThat(store.usage(prefix)).isEqualTo(new ObjectStore.Usage(11, 1));

    // A URL for one key opens no other: the signature covers the path.
    String other = eleven.url().replace("b.txt", "a.txt");
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(other)).GET().build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(403);
  }

  /**
   * The required property: emptying one tenant's prefix never touches another's objects, even when
   * the other's token shares every leading character but the last, or extends it.
   */
  @Test
  void deletingOnePrefixLeavesEveryNeighbourAlone() throws Exception {
    UUID a = UUID.randomUUID();
    String text = a.toString();
    ResourceToken mine = new ResourceToken(a);
    String last = text.substring(text.length() - 1);
    ResourceToken sibling =
        ResourceToken.parse(text.substring(0, text.length() - 1) + (last.equals("0") ? "1" : "0"))
            .orElseThrow();
    ObjectPrefix prefix = ObjectPrefix.of(mine);
    for (int i = 0; i < 25; i++) {
      assertThat(put(prefix.value() + "dir/file-" + i, "x".repeat(i + 1))).isEqualTo(200);
    }
    String siblingKey = ObjectPrefix.of(sibling).value() + "keep.txt";
    String extendedKey = text + "-more/keep.txt"; // starts with the token, not with token + "/"
    String shortKey = text.substring(0, 8) + "/keep.txt"; // the old eight-character prefix
    for (String key : new String[] {siblingKey, extendedKey, shortKey}) {
      assertThat(put(key, "theirs")).isEqualTo(200);
    }

    assertThat(store.deleteUnder(prefix)).isEqualTo(25);

    assertThat(store.usage(prefix)).isEqualTo(new ObjectStore.Usage(0, 0));
    for (String key : new String[] {siblingKey, extendedKey, shortKey}) {
      HttpResponse<String> kept = get(key);
      assertThat(kept.statusCode()).as(key).isEqualTo(200);
      assertThat(kept.body()).isEqualTo("theirs");
    }
    assertThat(store.deleteUnder(prefix)).as("idempotent").isZero();
  }

  /**
   * The store the tests and dev use refuses a presigned PUT that carries an unsigned copy source;
   * S3Proxy as it comes performs the copy, and the platform's check says so (storage then stays off
   * rather than let a tenant copy another's objects).
   */
  @Test
  void theCopyCheckTellsAGuardedStoreFromOneThatCopiesUnsignedSources() throws Exception {
    assertThat(store.refusesUnsignedCopy()).isTrue();
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("unguarded-s3");
    try (dev.instanode.embedded.EmbeddedObjectStore unguarded =
            dev.instanode.embedded.EmbeddedObjectStore.startUnguarded(
                dir, 0, TestObjectStore.ACCESS_KEY, TestObjectStore.SECRET_KEY);
        ObjectStore open =
            ObjectStore.open(
                new ObjectStoreSettings(
                    unguarded.endpoint(),
                    unguarded.endpoint(),
                    "us-east-1",
                    "unguarded",
                    TestObjectStore.ACCESS_KEY,
                    TestObjectStore.SECRET_KEY))) {
      open.ensureBucket();
      assertThat(open.refusesUnsignedCopy()).isFalse();
    } finally {
      org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
    }
  }
}
