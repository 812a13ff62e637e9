package dev.instanode.provisioner.engine;

import dev.instanode.core.InfraKey;
import dev.instanode.core.Masking;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.names.InfraName;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.breaker.Breakers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every destruction of customer infrastructure takes, whatever it is: a database and
 * its roles, a Redis ACL user, and (with the stacks and dedicated tiers) a namespace. In order:
 *
 * <ol>
 *   <li>audit {@code deprovision.requested}, with the reason and the masked names; when that row
 *       cannot be written nothing runs (the caller retries, drops are idempotent);
 *   <li>check every name with the {@link DropGuard}; a refusal is audited and counted, and nothing
 *       runs;
 *   <li>run the teardown, then audit its outcome ({@code dropped} or {@code failed}) and count it.
 * </ol>
 *
 * <p>Nothing else calls {@link ResourceBackend#drop}. Ordinary drops go through the backend's
 * circuit breaker; the rollback of a half-made provision does not, because skipping it would leak
 * what was just created.
 */
public final class DeprovisionChokepoint {
  private static final Logger LOG = LoggerFactory.getLogger(DeprovisionChokepoint.class);
  static final String METRIC = "instant_provisioner_drop_total";

  private final DropGuard guard;
  private final DropAudit audit;
  private final Breakers breakers;
  private final MeterRegistry meters;

  public DeprovisionChokepoint(
      DropGuard guard, DropAudit audit, Breakers breakers, MeterRegistry meters) {
    this.guard = guard;
    this.audit = audit;
    this.breakers = breakers;
    this.meters = meters;
  }

  /** Drops one resource's infrastructure through its backend's circuit breaker. */
  public void drop(
      ResourceBackend backend,
      InfraKey key,
      ProviderResourceId providerResourceId,
      String reason,
      RequestId requestId) {
    destroy(
        new Teardown(
            backend.type().wireName(),
            backend.backendLabel(),
            backend.objectNames(key),
            reason,
            requestId,
            () -> breakers.of(backend).run(() -> backend.drop(key, providerResourceId))));
  }

  /** Tears down a provision that failed part-way; never blocked by an open circuit. */
  public void rollback(
      ResourceBackend backend,
      InfraKey key,
      ProviderResourceId providerResourceId,
      RequestId requestId) {
    destroy(
        new Teardown(
            backend.type().wireName(),
            backend.backendLabel(),
            backend.objectNames(key),
            "provision_rollback",
            requestId,
            () -> backend.drop(key, providerResourceId)));
  }

  /** Any destruction: audited before it acts, every name guarded, the outcome audited after. */
  public void destroy(Teardown teardown) {
    List<String> masked = teardown.names().stream().map(InfraName::masked).toList();
    LOG.info(
        "provisioner.drop names={} resource_type={} backend={} reason={} request_id={}",
        masked,
        teardown.resourceType(),
        teardown.backend(),
        teardown.reason(),
        teardown.requestId());
    try {
      audit.write(DropAudit.Event.REQUESTED, teardown, Optional.empty());
    } catch (RuntimeException e) {
      count(teardown, "audit_unavailable");
      LOG.error(
          "provisioner.drop.unaudited names={} request_id={} error={}: nothing dropped",
          masked,
          teardown.requestId(),
          Masking.scrubUrls(e.toString()));
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "drop not audited, so not done", e);
    }
    for (InfraName name : teardown.names()) {
      Optional<String> refusal = guard.refusal(name);
      if (refusal.isPresent()) {
        count(teardown, "refused");
        LOG.error(
            "provisioner.drop.refused name={} kind={} why={} request_id={}",
            name.masked(),
            name.kind(),
            refusal.get(),
            teardown.requestId());
        outcome(
            DropAudit.Event.REFUSED, teardown, Optional.of(name.masked() + ": " + refusal.get()));
        throw new ProvisionerException(
            ProvisionerException.Kind.REFUSED,
            "drop refused for " + name.masked() + ": " + refusal.get(),
            null);
      }
    }
    try {
      teardown.action().run();
    } catch (ProvisionerException e) {
      boolean open = e.kind() == ProvisionerException.Kind.CIRCUIT_OPEN;
      count(teardown, open ? "breaker_open" : "error");
      outcome(
          DropAudit.Event.FAILED, teardown, Optional.of(e.kind().name().toLowerCase(Locale.ROOT)));
      throw e;
    } catch (RuntimeException e) {
      count(teardown, "error");
      outcome(DropAudit.Event.FAILED, teardown, Optional.of(e.getClass().getSimpleName()));
      throw new ProvisionerException(ProvisionerException.Kind.INTERNAL, "drop failed", e);
    }
    count(teardown, "ok");
    outcome(DropAudit.Event.DROPPED, teardown, Optional.empty());
  }

  // The outcome row is written after the fact: failing to write it must not turn a drop that
  // happened into a reported failure, so it is logged and counted instead.
  private void outcome(DropAudit.Event event, Teardown teardown, Optional<String> detail) {
    try {
      audit.write(event, teardown, detail);
    } catch (RuntimeException e) {
      count(teardown, "outcome_unaudited");
      LOG.error(
          "provisioner.drop.outcome_unaudited event={} request_id={} error={}",
          event.wireName(),
          teardown.requestId(),
          Masking.scrubUrls(e.toString()));
    }
  }

  private void count(Teardown teardown, String outcome) {
    Counter.builder(METRIC)
        .description("Drops of customer infrastructure, by outcome")
        .tag("resource_type", teardown.resourceType())
        .tag("backend", teardown.backend())
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
