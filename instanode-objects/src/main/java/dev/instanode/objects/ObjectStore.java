package dev.instanode.objects;

import dev.instanode.core.names.ObjectPrefix;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The shared bucket, as the platform uses it: measure a tenant's prefix, delete everything under
 * it, and presign one request for one key. Path-style addressing and checksums only where S3
 * requires them, so any S3-compatible endpoint (S3Proxy in dev, MinIO, R2) answers the same way.
 */
public final class ObjectStore implements AutoCloseable {
  /** S3's largest listing page. */
  static final int PAGE = 1000;

  /** Deletes in flight at once while a prefix is emptied. */
  static final int DELETE_PARALLELISM = 16;

  private final ObjectStoreSettings settings;
  private final S3Client s3;
  private final S3Presigner presigner;

  private ObjectStore(ObjectStoreSettings settings, S3Client s3, S3Presigner presigner) {
    this.settings = settings;
    this.s3 = s3;
    this.presigner = presigner;
  }

  public static ObjectStore open(ObjectStoreSettings settings) {
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    Region region = Region.of(settings.region());
    S3Client s3 =
        S3Client.builder()
            .endpointOverride(settings.endpoint())
            .region(region)
            .credentialsProvider(credentials)
            .forcePathStyle(true)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(3))
                    .socketTimeout(Duration.ofSeconds(20))
                    .build())
            .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(60)))
            .build();
    S3Presigner presigner =
        S3Presigner.builder()
            .endpointOverride(settings.publicEndpoint())
            .region(region)
            .credentialsProvider(credentials)
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .build();
    return new ObjectStore(settings, s3, presigner);
  }

  public String bucket() {
    return settings.bucket();
  }

  /** Where a tenant's objects are, for people: the public endpoint, the bucket and the prefix. */
  public String locationOf(ObjectPrefix prefix) {
    String base = settings.publicEndpoint().toString().replaceAll("/+$", "");
    return base + "/" + settings.bucket() + "/" + prefix.value();
  }

  /** Makes the bucket when it is not there (dev and tests; production buckets are made once). */
  public void ensureBucket() {
    try {
      s3.headBucket(b -> b.bucket(settings.bucket()));
    } catch (NoSuchBucketException e) {
      call("create the bucket", () -> s3.createBucket(b -> b.bucket(settings.bucket())));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw new ObjectStoreException("cannot read the bucket " + settings.bucket(), e);
      }
      call("create the bucket", () -> s3.createBucket(b -> b.bucket(settings.bucket())));
    } catch (SdkException e) {
      throw new ObjectStoreException("cannot reach the object store", e);
    }
  }

  /** Where the platform's own probes go: not a UUID, so no tenant's prefix can reach it. */
  static final String PROBE_PREFIX = "_instanode/probe/";

  /**
   * Whether the store ignores what a presigned URL did not sign where it matters: a PUT presigned
   * for one key, sent with an unsigned {@code x-amz-copy-source} naming another object, must not
   * copy it (AWS refuses unsigned {@code x-amz-*} headers; S3Proxy as it comes performs the copy,
   * with the platform's key, which would let a tenant read any other tenant's objects). Probe
   * objects are removed afterwards.
   */
  public boolean refusesUnsignedCopy() {
    String base = PROBE_PREFIX + java.util.UUID.randomUUID() + "/";
    String source = base + "source";
    String target = base + "target";
    try {
      call(
          "write a probe",
          () ->
              s3.putObject(
                  b -> b.bucket(settings.bucket()).key(source),
                  software.amazon.awssdk.core.sync.RequestBody.fromString("probe")));
      Presigned put =
          presign(Method.PUT, target, Duration.ofMinutes(1), OptionalLong.of(0), Optional.empty());
      java.net.http.HttpResponse<Void> answer;
      try (java.net.http.HttpClient http =
          java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
        answer =
            http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(put.url()))
                    .timeout(Duration.ofSeconds(10))
                    .header("x-amz-copy-source", "/" + settings.bucket() + "/" + source)
                    .PUT(java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
      } catch (java.io.IOException e) {
        throw new ObjectStoreException("cannot send the copy probe", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ObjectStoreException("interrupted while probing the store", e);
      }
      boolean copied =
          answer.statusCode() / 100 == 2
              && call(
                      "read a probe",
                      () ->
                          s3.listObjectsV2(
                              b -> b.bucket(settings.bucket()).prefix(target).maxKeys(1)))
                  .hasContents();
      return !copied;
    } finally {
      for (String key : List.of(source, target)) {
        try {
          s3.deleteObject(b -> b.bucket(settings.bucket()).key(key));
        } catch (SdkException ignored) {
          // a probe left behind is harmless: no tenant's prefix reaches it
        }
      }
    }
  }

  /** What a tenant's objects add up to. */
  public record Usage(long bytes, long objects) {}

  public Usage usage(ObjectPrefix prefix) {
    return call(
        "measure a prefix",
        () -> {
          long bytes = 0;
          long objects = 0;
          for (ListObjectsV2Response page :
              s3.listObjectsV2Paginator(
                  b -> b.bucket(settings.bucket()).prefix(prefix.value()).maxKeys(PAGE))) {
            for (S3Object o : page.contents()) {
              if (prefix.covers(o.key()) && !o.key().endsWith("/")) {
                bytes += o.size();
                objects++;
              }
            }
          }
          return new Usage(bytes, objects);
        });
  }

  /**
   * Deletes every object under {@code prefix}, a listing page at a time, and returns how many. Each
   * key is checked against the prefix before it is deleted, so a listing that strays (a store that
   * ignores the prefix) deletes nothing of another tenant's. Single-object deletes: the batch call
   * needs a checksum header that S3Proxy and several S3-compatible stores refuse. Afterwards the
   * prefix is listed again; anything left is an error, so the caller retries rather than reports a
   * drop that did not happen.
   */
  public long deleteUnder(ObjectPrefix prefix) {
    long deleted = 0;
    try (ExecutorService deleters = Executors.newVirtualThreadPerTaskExecutor()) {
      // Objects first, then what is left: a store on files lists each directory as a key ending
      // in /, which it deletes only once the directory is empty, deepest first.
      deleted += deletePages(deleters, prefix, key -> !key.endsWith("/"));
      deleted += deletePages(deleters, prefix, key -> true);
    }
    List<S3Object> left =
        call(
            "list a prefix",
            () ->
                s3.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(prefix.value()).maxKeys(1))
                    .contents());
    if (left.stream().anyMatch(o -> o.key().startsWith(prefix.value()))) {
      throw new ObjectStoreException(
          "objects are still under " + prefix.masked() + " after deleting " + deleted, null);
    }
    return deleted;
  }

  private long deletePages(
      ExecutorService deleters, ObjectPrefix prefix, java.util.function.Predicate<String> which) {
    long deleted = 0;
    String continuation = null;
    do {
      String after = continuation;
      ListObjectsV2Response page =
          call(
              "list a prefix",
              () ->
                  s3.listObjectsV2(b ->
                      b.bucket(settings.bucket())
                          .prefix(prefix.value())
                          .maxKeys(PAGE)
                          .continuationToken(after)));
      List<String> keys = new ArrayList<>();
      for (S3Object o : page.contents()) {
        if (o.key().startsWith(prefix.value()) && which.test(o.key())) {
          keys.add(o.key());
        }
      }
      keys.sort(java.util.Comparator.comparingInt(String::length).reversed());
      deleted += deleteAll(deleters, keys);
      continuation = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (continuation != null);
    return deleted;
  }

  private long deleteAll(ExecutorService deleters, List<String> keys) {
    List<Future<?>> running = new ArrayList<>();
    // A store on files lists each directory as a key ending in /: deleted, never counted.
    long done = keys.stream().filter(k -> !k.endsWith("/")).count();
    for (int i = 0; i < keys.size(); i += DELETE_PARALLELISM) {
      running.clear();
      for (String key : keys.subList(i, Math.min(keys.size(), i + DELETE_PARALLELISM))) {
        running.add(
            deleters.submit(() ->
                call(
                    "delete an object",
                    () -> s3.deleteObject(b -> b.bucket(settings.bucket()).key(key)))));
      }
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof ObjectStoreException o
              ? o
              : new ObjectStoreException("cannot delete an object", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ObjectStoreException("interrupted while deleting objects", e);
        }
      }
    }
    return done;
  }

  /** The HTTP method a presigned URL is for. */
  public enum Method {
    GET,
    PUT,
    DELETE
  }

  /**
   * A URL anyone holding it may use once or many times until it expires.
   *
   * @param headers what the request must send exactly as given (they are signed)
   */
  public record Presigned(String url, Map<String, List<String>> headers, Instant expiresAt) {}

  /**
   * @param contentLength for a PUT, the exact size the upload must have; it is signed, so a larger
   *     body is refused by the store
   */
  public Presigned presign(
      Method method,
      String key,
      Duration lifetime,
      OptionalLong contentLength,
      Optional<String> contentType) {
    return call(
        "presign a request",
        () -> {
          PresignedRequest signed =
              switch (method) {
                case GET ->
                    presigner.presignGetObject(p ->
                        p.signatureDuration(lifetime)
                            .getObjectRequest(r -> r.bucket(settings.bucket()).key(key)));
                case DELETE ->
                    presigner.presignDeleteObject(p ->
                        p.signatureDuration(lifetime)
                            .deleteObjectRequest(r -> r.bucket(settings.bucket()).key(key)));
                case PUT ->
                    presigner.presignPutObject(p ->
                        p.signatureDuration(lifetime)
                            .putObjectRequest(r -> {
                              r.bucket(settings.bucket()).key(key);
                              contentLength.ifPresent(r::contentLength);
                              contentType.ifPresent(r::contentType);
                            }));
              };
          Map<String, List<String>> headers = new java.util.TreeMap<>();
          signed
              .signedHeaders()
              .forEach((name, values) -> {
                if (!name.equalsIgnoreCase("host")) {
                  headers.put(name, List.copyOf(values));
                }
              });
          return new Presigned(signed.url().toString(), Map.copyOf(headers), signed.expiration());
        });
  }

  private static <T> T call(String what, java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (SdkException e) {
      throw new ObjectStoreException("cannot " + what, e);
    }
  }

  @Override
  public void close() {
    try {
      presigner.close();
    } finally {
      s3.close();
    }
  }
}
