package dev.instanode.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.Masking;
import dev.instanode.core.RequestId;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies stacks after the request that made or changed them has been answered (202). An apply that
 * fails marks the stack {@code failed}, each service with the reason, so the caller reading it sees
 * what happened instead of a stack deploying forever; redeploy retries it. An apply never writes
 * over a stack being deleted (the row update skips those).
 */
public final class StackApplier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StackApplier.class);
  static final String FAILURES = "instant_stack_apply_failures_total";
  static final String LATE_APPLIES = "instant_stack_late_apply_total";
  private static final Duration DRAIN = Duration.ofSeconds(10);

  private final StackDeployer deployer;
  private final StackRepository stacks;
  private final StackTeardown teardown;
  private final MeterRegistry meters;
  private final ExecutorService applies = Executors.newVirtualThreadPerTaskExecutor();

  public StackApplier(
      StackDeployer deployer,
      StackRepository stacks,
      StackTeardown teardown,
      MeterRegistry meters) {
    this.deployer = requireNonNull(deployer, "deployer is null");
    this.stacks = requireNonNull(stacks, "stacks is null");
    this.teardown = requireNonNull(teardown, "teardown is null");
    this.meters = requireNonNull(meters, "meters is null");
  }

  /** Starts applying {@code row}; the future completes when the apply has ended either way. */
  public Future<?> applyLater(StackRecord row) {
    return applies.submit(() -> apply(row));
  }

  /**
   * Applies {@code row} on this thread, then makes sure a delete that ran meanwhile is not undone.
   *
   * @throws RuntimeException when the apply failed
   */
  public void applyNow(StackRecord row) {
    deployer.apply(row);
    deleteIfDeletedMeanwhile(row);
  }

  private void apply(StackRecord row) {
    try {
      applyNow(row);
      LOG.info("stack.applied slug={} services={}", row.slug(), row.services().size());
    } catch (RuntimeException e) {
      String reason = "apply failed: " + Masking.scrubUrls(String.valueOf(e.getMessage()));
      meters.counter(FAILURES).increment();
      LOG.warn("stack.apply_failed slug={} error={}", row.slug(), Masking.scrubUrls(e.toString()));
      stacks.recordLiveStatus(
          row.id(),
          StackStatus.FAILED,
          row.services().stream()
              .map(s ->
                  new StackRepository.ObservedService(
                      s.name(), StackStatus.FAILED.wireName(), Optional.of(reason)))
              .toList());
    }
  }

  /**
   * A delete that ran between this apply's read of the row and its create would leave the namespace
   * made again with no row (until the orphan sweep). Read after the apply, the row says so: gone,
   * or deleting. A delete that starts after this read deletes what the apply made.
   */
  private void deleteIfDeletedMeanwhile(StackRecord row) {
    Optional<StackRecord> now = stacks.findBySlug(row.slug());
    if (now.isPresent() && now.get().status() != StackStatus.DELETING) {
      return;
    }
    meters.counter(LATE_APPLIES).increment();
    LOG.warn("stack.late_apply slug={}: deleted meanwhile, its namespace goes again", row.slug());
    teardown.deleteAfterLateApply(row, RequestId.random());
  }

  /** Lets applies in flight finish, for a while: a stack half-applied is redeployed later. */
  @Override
  public void close() {
    applies.shutdown();
    try {
      if (!applies.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
        applies.shutdownNow();
      }
    } catch (InterruptedException e) {
      applies.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
