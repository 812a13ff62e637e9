package dev.instanode.provisioner.pool;

import dev.instanode.core.Masking;
import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.provisioner.AssignedPoolItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.engine.DeprovisionChokepoint;
import dev.instanode.provisioner.engine.PartialProvisionException;
import dev.instanode.provisioner.engine.ResourceBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-made resources, so a provision is a row update instead of CREATE DATABASE. Items are made at
 * the anonymous tier under a {@link PoolToken}; a claim binds one to the caller's resource token
 * and regrades it to the caller's tier. Anything doubtful is discarded, never handed out.
 */
public final class HotPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HotPool.class);
  static final String STEP_RECORD_CREATING = "pool.record_creating";
  static final String STEP_MARK_READY = "pool.mark_ready";

  private final Map<ResourceType, ResourceBackend> backends;
  private final Map<ResourceType, Integer> targets;
  private final PoolRepository items;
  private final AesGcm aes;
  private final Breakers breakers;
  private final DeprovisionChokepoint chokepoint;
  private final MeterRegistry meters;
  private final int refillParallelism;
  private final ProvisionStepHook hook;
  private final Map<ResourceType, AtomicBoolean> refilling = new ConcurrentHashMap<>();
  private final Map<ResourceType, AtomicLong> ready = new ConcurrentHashMap<>();
  private final ExecutorService background =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pool-refill-", 0).factory());

  /**
   * @param targets ready items to keep per type; 0 (or absent) disables the pool for that type
   * @param refillParallelism at most this many items are made at once per type
   */
  public HotPool(
      Map<ResourceType, ResourceBackend> backends,
      Map<ResourceType, Integer> targets,
      PoolRepository items,
      AesGcm aes,
      Breakers breakers,
      DeprovisionChokepoint chokepoint,
      MeterRegistry meters,
      int refillParallelism,
      ProvisionStepHook hook) {
    this.backends = Map.copyOf(backends);
    this.targets = Map.copyOf(targets);
    this.items = items;
    this.aes = aes;
    this.breakers = breakers;
    this.chokepoint = chokepoint;
    this.meters = meters;
    this.refillParallelism = refillParallelism;
    this.hook = hook;
    for (ResourceType type : backends.keySet()) {
      AtomicLong gauge = new AtomicLong();
      ready.put(type, gauge);
      Gauge.builder("instant_pool_ready", gauge, AtomicLong::get)
          .description("Ready items in the hot pool")
          .tag("resource_type", type.wireName())
          .register(meters);
    }
  }

  public boolean enabled(ResourceType type) {
    return targets.getOrDefault(type, 0) > 0 && backends.containsKey(type);
  }

  /**
   * Hands out a ready item bound to {@code resource}, regraded to {@code tier}, or empty when the
   * pool is empty or the item could not be made fit (the caller then provisions live).
   */
  public Optional<ProvisionResult> claim(
      ResourceType type, ResourceToken resource, Tier tier, RequestId requestId) {
    if (!enabled(type)) {
      return Optional.empty();
    }
    Optional<PoolItem> claimed;
    try {
      claimed = items.claim(type, resource);
    } catch (RuntimeException e) {
      LOG.warn("pool.claim_failed resource_type={} error={}", type.wireName(), e.toString());
      countClaim(type, "error");
      return Optional.empty();
    }
    if (claimed.isEmpty()) {
      countClaim(type, "miss");
      refillAsync(type);
      return Optional.empty();
    }
    refillAfterClaim(type);
    PoolItem item = claimed.get();
    ResourceBackend backend = backends.get(type);
    try {
      RegradeResult regraded = regrade(backend, item, tier);
      String url = aes.decrypt(item.encryptedUrl());
      countClaim(type, "hit");
      LOG.info(
          "pool.claimed resource_type={} pool_token={} token={} request_id={}",
          type.wireName(),
          Masking.token(item.poolToken().value()),
          resource.masked(),
          requestId);
      return Optional.of(
          new ProvisionResult(
              url,
              item.providerResourceId().pooled(item.poolToken()),
              item.keyPrefix(),
              regraded.appliedConnLimit()));
    } catch (RuntimeException e) {
      // Not fit to hand out: mark it failed so the reaper frees it, and provision live instead.
      items.discard(item.id());
      countClaim(type, "discarded");
      LOG.warn(
          "pool.discarded resource_type={} pool_token={} error={}",
          type.wireName(),
          Masking.token(item.poolToken().value()),
          Masking.scrubUrls(e.toString()));
      return Optional.empty();
    }
  }

  /**
   * Settles the tracking row of a pooled resource whose infrastructure was just dropped, so the
   * orphan pass does not report it for ever. Best effort: a row left behind is reported by that
   * pass, never dropped twice with harm (drops are idempotent).
   */
  public void forgetDropped(PoolToken poolToken, ResourceToken resource) {
    try {
      if (items.forgetDropped(poolToken, resource)) {
        LOG.info(
            "pool.forgot_dropped pool_token={} token={}", poolToken.masked(), resource.masked());
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "pool.forget_failed pool_token={} token={} error={}",
          poolToken.masked(),
          resource.masked(),
          e.toString());
    }
  }

  /** Those of {@code tokens} a pool item tracks. */
  public Set<PoolToken> tracked(Collection<PoolToken> tokens) {
    return items.tracked(tokens);
  }

  /** The oldest items handed out before {@code cutoff} and still tracked. */
  public List<AssignedPoolItem> assignedOlderThan(Instant cutoff, int limit) {
    return items.assignedOlderThan(cutoff, limit);
  }

  /** Forgets an item its resource owns now; its infrastructure stays. */
  public boolean release(AssignedPoolItem item) {
    return items.releaseAssigned(item.id(), item.boundToken());
  }

  /**
   * Drops an orphaned item through the chokepoint under its row lock, then forgets it; the row is
   * kept when the drop fails.
   */
  public boolean reap(AssignedPoolItem item, String reason, RequestId requestId) {
    ResourceBackend backend = backends.get(item.type());
    if (backend == null) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT,
          "no backend configured for " + item.type().wireName(),
          null);
    }
    return items.reapAssigned(
        item.id(),
        item.boundToken(),
        () ->
            chokepoint.drop(
                backend, item.poolToken(), item.providerResourceId(), reason, requestId));
  }

  /**
   * An item made at the grade the caller's tier wants needs no change, so the round trip to the
   * customer cluster is skipped; anything else (a paid tier, a plans.yaml change since the item was
   * made, an item of unknown grade) is regraded there.
   */
  private RegradeResult regrade(ResourceBackend backend, PoolItem item, Tier tier) {
    Optional<String> wanted = backend.grade(tier);
    if (wanted.isPresent() && wanted.equals(item.grade())) {
      return RegradeResult.skipped(
          backend.connectionLimit(tier).orElse(-1),
          SkipReason.ALREADY_CORRECT,
          RegradeResult.ALREADY_CORRECT);
    }
    return breakers
        .of(backend)
        .call(() -> backend.regrade(item.poolToken(), item.providerResourceId(), tier));
  }

  /**
   * A claim wakes a refill only once the pool is down to half its target, so refills come in
   * batches instead of one CREATE DATABASE racing every claim; the periodic tick tops up fully.
   */
  private void refillAfterClaim(ResourceType type) {
    AtomicLong count = ready.get(type);
    long left = count == null ? 0 : count.updateAndGet(n -> Math.max(0, n - 1));
    if (left <= targets.getOrDefault(type, 0) / 2) {
      refillAsync(type);
    }
  }

  /** Starts a refill of {@code type} in the background unless one is already running. */
  public void refillAsync(ResourceType type) {
    if (enabled(type)) {
      background.execute(() -> refill(type));
    }
  }

  /** Tops {@code type} up to its target; safe to call from many threads and replicas. */
  public void refill(ResourceType type) {
    if (!enabled(type)) {
      return;
    }
    AtomicBoolean running = refilling.computeIfAbsent(type, t -> new AtomicBoolean());
    if (!running.compareAndSet(false, true)) {
      return;
    }
    try {
      items.withRefillLock(type, () -> topUp(type));
      ready.get(type).set(items.countReady(type));
    } catch (RuntimeException e) {
      LOG.warn("pool.refill_failed resource_type={} error={}", type.wireName(), e.toString());
    } finally {
      running.set(false);
    }
  }

  private void topUp(ResourceType type) {
    int missing = targets.get(type) - items.countReady(type);
    if (missing <= 0) {
      return;
    }
    Semaphore slots = new Semaphore(refillParallelism);
    try (ExecutorService makers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < missing; i++) {
        makers.execute(() -> {
          slots.acquireUninterruptibly();
          try {
            makeOne(type);
          } finally {
            slots.release();
          }
        });
      }
    }
  }

  /**
   * Record first: the row exists ({@code creating}) before anything it names, so a crash at any
   * step leaves it for the reaper. The backend keeps a half-made database closed to everyone until
   * its last step, so nothing in between accepts another tenant.
   */
  private void makeOne(ResourceType type) {
    ResourceBackend backend = backends.get(type);
    PoolToken token = PoolToken.random();
    RequestId requestId = new RequestId("pool-refill-" + token.value());
    try {
      items.insertCreating(type, token);
    } catch (RuntimeException e) {
      LOG.warn("pool.record_failed resource_type={} error={}", type.wireName(), e.toString());
      countRefill(type, "error");
      return;
    }
    hook.afterStep(STEP_RECORD_CREATING, token);
    ProvisionResult made;
    try {
      made = breakers.of(backend).call(() -> backend.provision(token, Tier.ANONYMOUS, requestId));
    } catch (PartialProvisionException e) {
      abandon(backend, token, Optional.of(e.providerResourceId()), requestId);
      countRefill(type, "error");
      return;
    } catch (RuntimeException e) {
      // Nothing is known to exist, but a timed-out call may still have made something: the
      // reaper drops the name (idempotent) after its grace.
      settle(() -> items.markCreatingFailed(token, Optional.empty()), token);
      countRefill(type, "error");
      return;
    }
    boolean ready;
    try {
      ready =
          items.markReady(
              token,
              made.providerResourceId(),
              aes.encrypt(made.connectionUrl()),
              made.keyPrefix(),
              OptionalLong.of(made.appliedConnLimit()),
              backend.grade(Tier.ANONYMOUS));
    } catch (RuntimeException e) {
      LOG.warn("pool.mark_ready_failed resource_type={} error={}", type.wireName(), e.toString());
      ready = false;
    }
    if (!ready) {
      // Not recorded as usable (or the reaper took the row for abandoned): free it now.
      abandon(backend, token, Optional.of(made.providerResourceId()), requestId);
      countRefill(type, "error");
      return;
    }
    hook.afterStep(STEP_MARK_READY, token);
    countRefill(type, "ok");
  }

  /** Drops what a refill made and forgets its row; a failed drop leaves the row to the reaper. */
  private void abandon(
      ResourceBackend backend,
      PoolToken token,
      Optional<ProviderResourceId> prid,
      RequestId requestId) {
    try {
      chokepoint.rollback(backend, token, prid.orElse(ProviderResourceId.NONE), requestId);
    } catch (RuntimeException e) {
      LOG.warn(
          "pool.rollback_failed pool_token={} error={}",
          Masking.token(token.value()),
          Masking.scrubUrls(e.toString()));
      settle(() -> items.markCreatingFailed(token, prid), token);
      return;
    }
    settle(() -> items.deleteCreating(token), token);
  }

  // A row this cannot update stays 'creating' and is reaped after its grace.
  private static void settle(Runnable update, PoolToken token) {
    try {
      update.run();
    } catch (RuntimeException e) {
      LOG.warn(
          "pool.settle_failed pool_token={} error={}", Masking.token(token.value()), e.toString());
    }
  }

  private void countClaim(ResourceType type, String outcome) {
    Counter.builder("instant_pool_claims_total")
        .description("Pool claims by outcome (hit, miss, discarded, error)")
        .tag("resource_type", type.wireName())
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }

  private void countRefill(ResourceType type, String outcome) {
    Counter.builder("instant_pool_refill_total")
        .description("Pool items made, by outcome")
        .tag("resource_type", type.wireName())
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }

  @Override
  public void close() {
    background.close();
  }
}
