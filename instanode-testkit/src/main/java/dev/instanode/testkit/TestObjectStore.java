package dev.instanode.testkit;

import dev.instanode.embedded.EmbeddedObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.io.FileUtils;

/** One embedded S3-compatible store per test JVM; each caller gets its own bucket. */
public final class TestObjectStore {
  public static final String ACCESS_KEY = "test-access-key";
  public static final String SECRET_KEY = "test-secret-key-0123456789";
  private static final AtomicInteger NEXT_BUCKET = new AtomicInteger();
  private static EmbeddedObjectStore server;

  private TestObjectStore() {}

  public static synchronized EmbeddedObjectStore server() {
    if (server == null) {
      try {
        Path dir = Files.createTempDirectory("instanode-test-s3");
        EmbeddedObjectStore started = EmbeddedObjectStore.start(dir, 0, ACCESS_KEY, SECRET_KEY);
        server = started;
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      started.close();
                      FileUtils.deleteQuietly(dir.toFile());
                    },
                    "test-s3-stop"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** A bucket name no other test in this JVM uses; the store makes it on first use. */
  public static String newBucket(String purpose) {
    return purpose + "-" + ProcessHandle.current().pid() + "-" + NEXT_BUCKET.incrementAndGet();
  }

  /** The {@code S3_*} settings of a fresh bucket on the test store. */
  public static Map<String, String> settings(String purpose) {
    return Map.of(
        "S3_ENDPOINT",
        server().endpoint().toString(),
        "S3_REGION",
        EmbeddedObjectStore.REGION,
        "S3_BUCKET",
        newBucket(purpose),
        "S3_ACCESS_KEY",
        ACCESS_KEY,
        "S3_SECRET_KEY",
        SECRET_KEY);
  }
}
