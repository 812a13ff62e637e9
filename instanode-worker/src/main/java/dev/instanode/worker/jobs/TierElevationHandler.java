package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;

import dev.instanode.core.Masking;
import dev.instanode.core.PropagationKind;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceId;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.store.PendingPropagation;
import dev.instanode.store.ResourceRepository;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import dev.instanode.worker.decision.HandlerOutcome;
import dev.instanode.worker.decision.RegradeVerdict;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tier_elevation}: regrade every active, unexpired resource of the team to the tier on its
 * row. Every resource is tried; the first failure fails the propagation, which then retries as a
 * whole (regrades are idempotent). A skip outside the allowlist is such a failure.
 */
final class TierElevationHandler implements PropagationHandler {
  private static final Logger LOG = LoggerFactory.getLogger(TierElevationHandler.class);
  private static final Set<Tier> UNPAID = EnumSet.of(Tier.ANONYMOUS, Tier.FREE);
  private static final String KIND = PropagationKind.TIER_ELEVATION.wire();

  private final ResourceRepository resources;
  private final Provisioner provisioner;
  private final MeterRegistry meters;
  private final Clock clock;

  TierElevationHandler(Jdbi platform, Provisioner provisioner, MeterRegistry meters, Clock clock) {
    this.resources = new ResourceRepository(platform);
    this.provisioner = provisioner;
    this.meters = meters;
    this.clock = clock;
  }

  private record TeamResource(
      ResourceId id,
      ResourceToken token,
      ResourceType type,
      Tier tier,
      ProviderResourceId providerResourceId) {}

  @Override
  public HandlerOutcome handle(PendingPropagation row, JobRun run) {
    List<TeamResource> resources = activeResources(row);
    String firstError = null;
    boolean firstIsSkip = false;
    int touched = 0;
    for (TeamResource r : resources) {
      RegradeVerdict verdict;
      try {
        verdict =
            RegradeVerdict.of(
                provisioner.regrade(
                    new RegradeRequest(
                        r.token(),
                        r.type(),
                        r.tier(),
                        r.providerResourceId(),
                        new RequestId(row.id().toString()))));
      } catch (RuntimeException e) {
        LOG.warn(
            "propagation_runner.regrade_failed propagation_id={} token={} run_id={} error={}",
            row.id(),
            r.token().masked(),
            run.runId(),
            Masking.scrubUrls(e.toString()));
        if (firstError == null) {
          firstError = "regrade " + r.type().wireName() + " " + r.token().masked() + ": " + e;
        }
        continue;
      }
      if (verdict instanceof RegradeVerdict.UnexpectedSkip skip) {
        count(
            meters,
            WorkerMetrics.PROPAGATION_UNEXPECTED_SKIP,
            "kind",
            KIND,
            "resource_type",
            r.type().wireName(),
            "skip_reason",
            skip.code().label());
        LOG.warn(
            "propagation_runner.unexpected_skip propagation_id={} token={} skip_reason={}"
                + " run_id={}: the regrade did not land",
            row.id(),
            r.token().masked(),
            skip.code().label(),
            run.runId());
        if (firstError == null) {
          firstError =
              "unexpected skip on "
                  + r.type().wireName()
                  + " "
                  + r.token().masked()
                  + ": "
                  + skip.reason();
          firstIsSkip = true;
        }
        continue;
      }
      touched++;
      persistLimit(r, verdict.limitInForce());
    }
    return firstError == null
        ? new HandlerOutcome.Done(touched)
        : new HandlerOutcome.Failed(firstError, firstIsSkip);
  }

  private List<TeamResource> activeResources(PendingPropagation row) {
    List<TeamResource> paid = new ArrayList<>();
    for (ResourceRepository.LiveTeamResource r :
        resources.liveOfTeam(row.team(), clock.instant())) {
      Optional<ResourceType> type = ResourceType.parse(r.type());
      Optional<Tier> tier = Tier.parse(r.tier());
      // A kind whose limits are held as each write lands reads its plan there: nothing to push.
      if (type.isPresent()
          && ResourceKinds.of(type.get()).enforcement() == ResourceKind.Enforcement.MEASURED
          && tier.isPresent()
          && !UNPAID.contains(tier.get())) {
        paid.add(
            new TeamResource(r.id(), r.token(), type.get(), tier.get(), r.providerResourceId()));
      }
    }
    return paid;
  }

  // The cap the backend reports is what the entitlement reconciler compares against; only a cap
  // held as a role setting is recorded.
  private void persistLimit(TeamResource r, OptionalLong limit) {
    if (ResourceKinds.of(r.type()).connectionCap() != ResourceKind.ConnectionCap.ROLE_SETTING
        || limit.isEmpty()) {
      return;
    }
    resources.recordAppliedConnLimit(r.id(), Math.toIntExact(limit.getAsLong()), Optional.empty());
  }
}
