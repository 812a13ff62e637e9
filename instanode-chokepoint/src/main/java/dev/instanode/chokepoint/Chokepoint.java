package dev.instanode.chokepoint;

import dev.instanode.core.Masking;
import dev.instanode.core.names.InfraName;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every destruction of customer infrastructure takes, whatever it is (a database and
 * its roles, a Redis ACL user, a namespace) and whichever role does it. In order:
 *
 * <ol>
 *   <li>audit {@code deprovision.requested}, with the reason and the masked names; when that row
 *       cannot be written nothing runs ({@link DestructionUnauditedException}; the caller retries,
 *       destruction is idempotent);
 *   <li>check every name with the {@link DropGuard}; a refusal is audited and counted, and nothing
 *       runs ({@link DestructionRefusedException});
 *   <li>run the teardown, then audit its outcome ({@code dropped} or {@code failed}) and count it.
 *       A failed teardown's exception reaches the caller unchanged.
 * </ol>
 */
public final class Chokepoint {
  private static final Logger LOG = LoggerFactory.getLogger(Chokepoint.class);

  private final DropGuard guard;
  private final DestructionAudit audit;
  private final MeterRegistry meters;
  private final String metric;
  private final Function<RuntimeException, String> failureLabel;

  /**
   * @param metric the counter, tagged {@code resource_type}, {@code backend}, {@code outcome}
   * @param failureLabel the bounded outcome label (and audit detail) of a failed teardown
   */
  public Chokepoint(
      DropGuard guard,
      DestructionAudit audit,
      MeterRegistry meters,
      String metric,
      Function<RuntimeException, String> failureLabel) {
    this.guard = guard;
    this.audit = audit;
    this.meters = meters;
    this.metric = metric;
    this.failureLabel = failureLabel;
  }

  public void destroy(Teardown teardown) {
    List<String> masked = teardown.names().stream().map(InfraName::masked).toList();
    LOG.info(
        "destroy names={} resource_type={} backend={} reason={} request_id={}",
        masked,
        teardown.resourceType(),
        teardown.backend(),
        teardown.reason(),
        teardown.requestId());
    try {
      audit.write(DestructionAudit.Event.REQUESTED, teardown, Optional.empty());
    } catch (RuntimeException e) {
      count(teardown, "audit_unavailable");
      LOG.error(
          "destroy.unaudited names={} request_id={} error={}: nothing destroyed",
          masked,
          teardown.requestId(),
          Masking.scrubUrls(e.toString()));
      throw new DestructionUnauditedException(e);
    }
    for (InfraName name : teardown.names()) {
      Optional<String> refusal = guard.refusal(name);
      if (refusal.isPresent()) {
        count(teardown, "refused");
        LOG.error(
            "destroy.refused name={} kind={} why={} request_id={}",
            name.masked(),
            name.kind(),
            refusal.get(),
            teardown.requestId());
        outcome(
            DestructionAudit.Event.REFUSED,
            teardown,
            Optional.of(name.masked() + ": " + refusal.get()));
        throw new DestructionRefusedException(name, refusal.get());
      }
    }
    try {
      teardown.action().run();
    } catch (RuntimeException e) {
      String label = failureLabel.apply(e);
      count(teardown, label);
      outcome(DestructionAudit.Event.FAILED, teardown, Optional.of(label));
      throw e;
    }
    count(teardown, "ok");
    outcome(DestructionAudit.Event.DROPPED, teardown, Optional.empty());
  }

  // The outcome row is written after the fact: failing to write it must not turn a destruction
  // that happened into a reported failure, so it is logged and counted instead.
  private void outcome(DestructionAudit.Event event, Teardown teardown, Optional<String> detail) {
    try {
      audit.write(event, teardown, detail);
    } catch (RuntimeException e) {
      count(teardown, "outcome_unaudited");
      LOG.error(
          "destroy.outcome_unaudited event={} request_id={} error={}",
          event.wireName(),
          teardown.requestId(),
          Masking.scrubUrls(e.toString()));
    }
  }

  private void count(Teardown teardown, String outcome) {
    Counter.builder(metric)
        .description("Destructions of customer infrastructure, by outcome")
        .tag("resource_type", teardown.resourceType())
        .tag("backend", teardown.backend())
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
