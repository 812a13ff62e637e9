package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.Masking;
import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.LockTimeouts;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.ResourceRepository.Keyset;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.decision.ExpiryDecision;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code expire_anonymous}: tears down anonymous and free resources whose {@code expires_at} has
 * passed, then marks them {@code expired}.
 *
 * <p>Per row, one transaction: lock the row ({@code FOR UPDATE}), re-decide on what the lock read,
 * deprovision through the provisioner (its chokepoint), and only then update the status. A failed
 * deprovision rolls back, so the row stays live and is tried again next run. A row is never marked
 * expired without its teardown.
 */
public final class ExpireAnonymous implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(ExpireAnonymous.class);
  static final int PAGE = 200;
  static final Duration LOCK_TIMEOUT = Duration.ofSeconds(5);

  enum Outcome {
    EXPIRED,
    RACE_SKIPPED,
    DEPROVISION_FAILED,
    UNSUPPORTED_TYPE,
    ERROR
  }

  private final Jdbi platform;
  private final ResourceRepository resources;
  private final Optional<Provisioner> provisioner;
  private final AuditLog audit;
  private final Set<Tier> expiringTiers;
  private final MeterRegistry meters;
  private final Clock clock;
  private final int pageSize;

  public ExpireAnonymous(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      AuditLog audit,
      Plans plans,
      MeterRegistry meters,
      Clock clock) {
    this(platform, provisioner, audit, plans, meters, clock, PAGE);
  }

  ExpireAnonymous(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      AuditLog audit,
      Plans plans,
      MeterRegistry meters,
      Clock clock,
      int pageSize) {
    this.pageSize = pageSize;
    this.platform = requireNonNull(platform, "platform is null");
    this.resources = new ResourceRepository(platform);
    this.provisioner = requireNonNull(provisioner, "provisioner is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    Set<Tier> tiers = EnumSet.noneOf(Tier.class);
    Arrays.stream(Tier.values()).filter(t -> plans.of(t).expires()).forEach(tiers::add);
    this.expiringTiers = Set.copyOf(tiers);
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    if (provisioner.isEmpty()) {
      // Marking rows expired without teardown would orphan their infrastructure.
      LOG.warn("expire_anonymous.skipped reason=no_provisioner run_id={}", run.runId());
      count(meters, WorkerMetrics.EXPIRE_SKIPPED, "reason", "no_provisioner");
      return tally.add("skipped_no_provisioner").report();
    }
    Instant now = clock.instant();
    Keyset after = Keyset.START;
    while (true) {
      List<Keyset> page = resources.expiredAfter(now, expiringTiers, after, pageSize);
      for (Keyset candidate : page) {
        Outcome outcome = expireOne(new ResourceId(candidate.id()), now, run);
        tally.add(outcome.name().toLowerCase(Locale.ROOT));
      }
      if (page.size() < pageSize) {
        return tally.report();
      }
      after = page.getLast();
    }
  }

  private record Locked(
      ResourceId id,
      ResourceToken token,
      ProviderResourceId providerResourceId,
      ExpiryDecision.Facts facts) {
    static Locked of(ResourceRepository.LockedForExpiry row) {
      return new Locked(
          row.id(),
          row.token(),
          row.providerResourceId(),
          new ExpiryDecision.Facts(
              row.team(), row.tier(), row.status(), row.expiresAt(), row.teamStatus(), row.type()));
    }
  }

  /** One row, one transaction: lock, re-decide, tear down, then mark expired. */
  Outcome expireOne(ResourceId id, Instant now, JobRun run) {
    Provisioner prov = provisioner.orElseThrow();
    Locked[] expired = new Locked[1];
    Outcome outcome;
    try {
      outcome =
          platform.inTransaction(h -> {
            LockTimeouts.setLocal(h, LOCK_TIMEOUT);
            Optional<Locked> row = ResourceRepository.lockForExpiry(h, id).map(Locked::of);
            if (row.isEmpty()) {
              return Outcome.RACE_SKIPPED;
            }
            Locked r = row.get();
            ExpiryDecision.Verdict verdict = ExpiryDecision.classify(r.facts(), expiringTiers, now);
            if (verdict == ExpiryDecision.Verdict.UNSUPPORTED_TYPE) {
              LOG.warn(
                  "expire_anonymous.unsupported_type token={} run_id={}: no backend can tear it"
                      + " down, left live",
                  r.token().masked(),
                  run.runId());
              return Outcome.UNSUPPORTED_TYPE;
            }
            if (!verdict.expire()) {
              LOG.info(
                  "expire_anonymous.race_skipped token={} verdict={} run_id={}",
                  r.token().masked(),
                  verdict,
                  run.runId());
              return Outcome.RACE_SKIPPED;
            }
            ResourceType type = r.facts().type().orElseThrow();
            try {
              prov.deprovision(
                  new DeprovisionRequest(
                      r.token(), type, r.providerResourceId(), "expired", run.requestId()));
            } catch (RuntimeException e) {
              LOG.warn(
                  "expire_anonymous.deprovision_failed token={} resource_type={} run_id={} error={}",
                  r.token().masked(),
                  type.wireName(),
                  run.runId(),
                  Masking.scrubUrls(e.toString()));
              throw new Rollback(Outcome.DEPROVISION_FAILED);
            }
            int updated = ResourceRepository.markExpired(h, id);
            if (updated != 1) {
              // Impossible while we hold the lock; never report an expiry that did not land.
              throw new IllegalStateException("expiry update touched " + updated + " rows");
            }
            expired[0] = r;
            return Outcome.EXPIRED;
          });
    } catch (Rollback rollback) {
      outcome = rollback.outcome;
    } catch (RuntimeException e) {
      if (LockTimeouts.isTimeout(e)) {
        LOG.info("expire_anonymous.race_skipped id={} reason=lock_timeout", id);
        outcome = Outcome.RACE_SKIPPED;
      } else {
        LOG.warn(
            "expire_anonymous.row_failed id={} run_id={} error={}",
            id,
            run.runId(),
            Masking.scrubUrls(e.toString()));
        outcome = Outcome.ERROR;
      }
    }
    record(outcome, expired[0], run);
    return outcome;
  }

  private void record(Outcome outcome, Locked row, JobRun run) {
    switch (outcome) {
      case EXPIRED -> {
        String type = row.facts().type().orElseThrow().wireName();
        count(meters, WorkerMetrics.EXPIRED, "resource_type", type);
        audit.write(
            new AuditEvent(
                row.facts().team(),
                AuditEvent.Actor.SYSTEM,
                AuditKind.RESOURCE_EXPIRED,
                Optional.of(type),
                Optional.of(row.id()),
                "Expired " + type + " " + row.token().masked() + " after its TTL",
                Map.of(
                    "job", run.job(),
                    "tier", row.facts().tier().wireName(),
                    "expires_at", row.facts().expiresAt().map(Instant::toString).orElse("")),
                Optional.of(run.requestId().value())));
        LOG.info(
            "expire_anonymous.expired token={} resource_type={} run_id={}",
            row.token().masked(),
            type,
            run.runId());
      }
      case RACE_SKIPPED -> count(meters, WorkerMetrics.EXPIRE_RACE_SKIPPED);
      case DEPROVISION_FAILED -> count(meters, WorkerMetrics.EXPIRE_DEPROVISION_FAILED);
      case UNSUPPORTED_TYPE ->
          count(meters, WorkerMetrics.EXPIRE_SKIPPED, "reason", "unsupported_type");
      case ERROR -> count(meters, WorkerMetrics.EXPIRE_SKIPPED, "reason", "error");
    }
  }

  /** Unwinds the transaction (so Jdbi rolls it back) and carries the outcome out. */
  private static final class Rollback extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Outcome outcome;

    Rollback(Outcome outcome) {
      super(outcome.name(), null, false, false);
      this.outcome = outcome;
    }
  }
}
