package dev.instanode.api.storage;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.redis.PlatformRedis;
import dev.instanode.api.resources.LiveUsage;
import dev.instanode.api.resources.TokenCredential;
import dev.instanode.api.wire.PresignReply;
import dev.instanode.api.wire.StorageUsageReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Limit;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.names.ObjectPrefix;
import dev.instanode.objects.ObjectKeys;
import dev.instanode.objects.ObjectStore;
import dev.instanode.objects.ObjectStoreException;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Object storage as a tenant sees it: presigned requests for keys under its own prefix, and what
 * its objects add up to. The plan's {@code storage_mb} is held when an upload is presigned: the
 * upload's size is signed into the URL, and a URL is given only while usage plus that size fits.
 */
public final class StorageService {
  static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(15);
  static final Duration MAX_LIFETIME = Duration.ofHours(1);
  static final String METRIC = "instant_storage_presigns_total";

  /** S3's largest single PUT. */
  static final long MAX_OBJECT_BYTES = 5L * 1024 * 1024 * 1024;

  private final ObjectStore store;
  private final Plans plans;
  private final PlatformRedis redis;
  private final Clock clock;
  private final MeterRegistry meters;
  private final TokenCredential credential;

  public StorageService(
      ResourceRepository resources,
      ObjectStore store,
      Plans plans,
      PlatformRedis redis,
      Clock clock,
      MeterRegistry meters) {
    this.store = store;
    this.plans = plans;
    this.redis = redis;
    this.clock = clock;
    this.meters = meters;
    this.credential = new TokenCredential(resources, clock);
  }

  /**
   * What a caller asks to presign.
   *
   * @param contentLength for a PUT (required there): the exact size of the upload, signed into the
   *     URL and held against the quota until the URL expires
   */
  public record PresignRequest(
      ObjectStore.Method method,
      String key,
      Duration lifetime,
      OptionalLong contentLength,
      Optional<String> contentType) {}

  public PresignReply presign(Caller caller, String rawToken, PresignRequest request) {
    ResourceRecord storage = usable(caller, rawToken);
    ObjectPrefix prefix = ObjectPrefix.of(storage.token());
    ObjectKeys.Result key = ObjectKeys.resolve(prefix, request.key());
    if (key.key().isEmpty()) {
      count(request.method(), "invalid_key");
      throw new ApiException(ErrorCode.INVALID_OBJECT_KEY, "The key " + key.refusal().get() + ".");
    }
    Plan plan = plans.of(storage.tier());
    admit(storage.token(), plan.storage(), request.method());
    // A URL never outlives its storage's expiry: it could write objects after the prefix is gone.
    Duration lifetime = request.lifetime();
    if (storage.expiresAt().isPresent()) {
      Duration left = Duration.between(clock.instant(), storage.expiresAt().get());
      lifetime = left.compareTo(lifetime) < 0 ? left : lifetime;
      if (lifetime.toSeconds() < 1) {
        throw new ApiException(ErrorCode.NOT_FOUND, "No such storage for this caller.");
      }
    }
    if (request.method() == ObjectStore.Method.PUT) {
      holdQuota(
          storage.token(), prefix, plan.storage(), request.contentLength().orElseThrow(), lifetime);
    }
    try {
      ObjectStore.Presigned signed =
          store.presign(
              request.method(),
              key.key().get(),
              lifetime,
              request.contentLength(),
              request.contentType());
      count(request.method(), "ok");
      return new PresignReply(
          true,
          request.method().name(),
          signed.url(),
          request.key(),
          signed.headers(),
          signed.expiresAt());
    } catch (ObjectStoreException e) {
      count(request.method(), "store_unavailable");
      throw new ApiException(
          ErrorCode.SERVICE_UNAVAILABLE, "Object storage did not answer; retry shortly.", e);
    }
  }

  /**
   * Refused when the upload would take the prefix past the plan, counting what is stored and every
   * upload presigned and not yet expired (held in Redis until its URL expires, so a tenant cannot
   * collect URLs while its usage still reads low). Redis down: only what is stored is counted. A
   * store that cannot be listed refuses.
   */
  private void holdQuota(
      ResourceToken token,
      ObjectPrefix prefix,
      Plan.StorageLimits limits,
      long length,
      Duration lifetime) {
    if (Limit.isUnlimited(limits.storageMb())) {
      return;
    }
    long limit = limits.storageMb() * 1024 * 1024;
    long used = measure(prefix).bytes();
    long room = limit - used;
    long now = clock.millis();
    Optional<List<Object>> held =
        redis.tryWith(
            "storage_quota",
            r ->
                r.<List<Object>>eval(
                    HOLD_UPLOAD,
                    ScriptOutputType.MULTI,
                    new String[] {"s3:held:" + token},
                    String.valueOf(now),
                    String.valueOf(now + lifetime.toMillis()),
                    String.valueOf(length),
                    String.valueOf(room),
                    UUID.randomUUID() + ":" + length));
    boolean fits = held.map(answer -> ((Long) answer.get(0)) == 1L).orElse(length <= room);
    if (!fits) {
      long pending = held.map(answer -> (Long) answer.get(1)).orElse(0L);
      count(ObjectStore.Method.PUT, "over_quota");
      throw new ApiException(
          ErrorCode.STORAGE_LIMIT_REACHED,
          "This storage holds "
              + used
              + " bytes and has "
              + pending
              + " more presigned for upload, of its "
              + limit
              + "; an upload of "
              + length
              + " would not fit.");
    }
  }

  /**
   * Drops expired holds, adds up the rest and, if the upload fits the room left, holds it until its
   * URL expires: one atomic step, so two presigns at once cannot both take the last room. Answers
   * {fits (1 or 0), bytes held before}.
   */
  private static final String HOLD_UPLOAD =
      "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])"
          + " local held = 0"
          + " for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do"
          + "   held = held + tonumber(string.match(m, ':(%d+)$'))"
          + " end"
          + " if held + tonumber(ARGV[3]) > tonumber(ARGV[4]) then return {0, held} end"
          + " redis.call('ZADD', KEYS[1], ARGV[2], ARGV[5])"
          + " redis.call('PEXPIRE', KEYS[1], 3700000)"
          + " return {1, held}";

  /** The plan's presigns a minute, counted per storage. Redis down lets the request through. */
  private void admit(ResourceToken token, Plan.StorageLimits limits, ObjectStore.Method method) {
    String key = "s3:presign:" + token + ":" + clock.millis() / 60_000;
    Optional<Long> seen = redis.countOnce("storage_presign", key);
    if (seen.isPresent() && seen.get() > limits.presignsPerMinute()) {
      count(method, "rate_limited");
      throw new ApiException(
          ErrorCode.PRESIGN_RATE_LIMITED,
          "This storage takes " + limits.presignsPerMinute() + " presigns a minute.",
          OptionalInt.of(Math.max(1, (int) (60 - (clock.millis() / 1000) % 60))),
          null);
    }
  }

  /** Counted with the presigns: each reading lists the whole prefix. */
  public StorageUsageReply usage(Caller caller, String rawToken) {
    ResourceRecord storage = usable(caller, rawToken);
    admit(storage.token(), plans.of(storage.tier()).storage(), ObjectStore.Method.GET);
    ObjectStore.Usage usage = measure(ObjectPrefix.of(storage.token()));
    long limitMb = plans.of(storage.tier()).storage().storageMb();
    long limit = Limit.isUnlimited(limitMb) ? -1 : limitMb * 1024 * 1024;
    return new StorageUsageReply(
        true,
        storage.token().text(),
        usage.bytes(),
        usage.objects(),
        limit,
        limit >= 0 && usage.bytes() > limit);
  }

  /** A storage resource's usage now, for the resource routes; empty for other kinds. */
  public Optional<LiveUsage.Reading> reading(ResourceRecord resource) {
    if (resource.type() != ResourceType.STORAGE) {
      return Optional.empty();
    }
    try {
      long bytes = store.usage(ObjectPrefix.of(resource.token())).bytes();
      long limitMb = plans.of(resource.tier()).storage().storageMb();
      return Optional.of(
          new LiveUsage.Reading(
              bytes, !Limit.isUnlimited(limitMb) && bytes > limitMb * 1024 * 1024));
    } catch (ObjectStoreException e) {
      return Optional.empty();
    }
  }

  private ObjectStore.Usage measure(ObjectPrefix prefix) {
    try {
      return store.usage(prefix);
    } catch (ObjectStoreException e) {
      throw new ApiException(
          ErrorCode.SERVICE_UNAVAILABLE, "Object storage did not answer; retry shortly.", e);
    }
  }

  /** The storage {@code caller} may use (the token rule of {@link TokenCredential}), or 404. */
  private ResourceRecord usable(Caller caller, String rawToken) {
    return credential.usable(caller, rawToken, ResourceType.STORAGE, "storage");
  }

  private void count(ObjectStore.Method method, String outcome) {
    Counter.builder(METRIC)
        .description("Presigned storage URLs asked for, by method and outcome")
        .tag("method", method.name())
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
