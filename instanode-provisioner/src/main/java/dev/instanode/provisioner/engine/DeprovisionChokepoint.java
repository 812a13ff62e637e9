package dev.instanode.provisioner.engine;

import dev.instanode.core.Masking;
import dev.instanode.provisioner.NamingToken;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.breaker.Breakers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every drop of customer infrastructure takes: it logs, checks every name with the
 * {@link DropGuard}, counts, and only then calls the backend. Nothing else calls {@link
 * ResourceBackend#drop}.
 *
 * <p>Ordinary drops go through the backend's circuit breaker; the rollback of a half-made provision
 * does not, because skipping it would leak what was just created.
 */
public final class DeprovisionChokepoint {
  private static final Logger LOG = LoggerFactory.getLogger(DeprovisionChokepoint.class);
  static final String METRIC = "instant_provisioner_drop_total";

  private final DropGuard guard;
  private final Breakers breakers;
  private final MeterRegistry meters;

  public DeprovisionChokepoint(DropGuard guard, Breakers breakers, MeterRegistry meters) {
    this.guard = guard;
    this.breakers = breakers;
    this.meters = meters;
  }

  public void drop(
      ResourceBackend backend,
      String namingToken,
      String providerResourceId,
      String reason,
      String requestId) {
    drop(backend, namingToken, providerResourceId, reason, requestId, true);
  }

  /** Tears down a provision that failed part-way; never blocked by an open circuit. */
  public void rollback(
      ResourceBackend backend, String namingToken, String providerResourceId, String requestId) {
    drop(backend, namingToken, providerResourceId, "provision_rollback", requestId, false);
  }

  private void drop(
      ResourceBackend backend,
      String namingToken,
      String providerResourceId,
      String reason,
      String requestId,
      boolean throughBreaker) {
    String type = backend.type().wireName();
    LOG.info(
        "provisioner.drop token={} resource_type={} prid={} backend={} reason={} request_id={}",
        Masking.token(namingToken),
        type,
        NamingToken.masked(providerResourceId),
        backend.backendLabel(),
        reason,
        requestId);
    for (String name : backend.objectNames(namingToken)) {
      Optional<String> refusal = guard.refusal(name);
      if (refusal.isPresent()) {
        count(type, backend.backendLabel(), "refused");
        LOG.error(
            "provisioner.drop.refused name={} why={} request_id={}",
            name,
            refusal.get(),
            requestId);
        throw new ProvisionerException(
            ProvisionerException.Kind.REFUSED,
            "drop refused for " + name + ": " + refusal.get(),
            null);
      }
    }
    try {
      Runnable teardown = () -> backend.drop(namingToken, providerResourceId);
      if (throughBreaker) {
        breakers.of(backend).run(teardown);
      } else {
        teardown.run();
      }
      count(type, backend.backendLabel(), "ok");
    } catch (ProvisionerException e) {
      boolean open = e.kind() == ProvisionerException.Kind.CIRCUIT_OPEN;
      count(type, backend.backendLabel(), open ? "breaker_open" : "error");
      throw e;
    } catch (RuntimeException e) {
      count(type, backend.backendLabel(), "error");
      throw new ProvisionerException(ProvisionerException.Kind.INTERNAL, "drop failed", e);
    }
  }

  private void count(String type, String backend, String outcome) {
    Counter.builder(METRIC)
        .description("Drops of customer infrastructure, by outcome")
        .tag("resource_type", type)
        .tag("backend", backend)
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
