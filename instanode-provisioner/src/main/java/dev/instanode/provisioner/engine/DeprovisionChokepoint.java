package dev.instanode.provisioner.engine;

import dev.instanode.chokepoint.Chokepoint;
import dev.instanode.chokepoint.DestructionAudit;
import dev.instanode.chokepoint.DestructionRefusedException;
import dev.instanode.chokepoint.DestructionUnauditedException;
import dev.instanode.chokepoint.DropGuard;
import dev.instanode.chokepoint.Teardown;
import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.InfraName;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.breaker.Breakers;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;

/**
 * The provisioner's side of the {@link Chokepoint}: every drop of a backend's objects goes through
 * it, and its refusals and failures come back as {@link ProvisionerException}s. Nothing else calls
 * {@link ResourceBackend#drop}.
 *
 * <p>Ordinary drops go through the backend's circuit breaker; the rollback of a half-made provision
 * does not, because skipping it would leak what was just created.
 */
public final class DeprovisionChokepoint {
  static final String METRIC = "instant_provisioner_drop_total";

  private final Chokepoint chokepoint;
  private final Breakers breakers;
  private final MeterRegistry meters;

  public DeprovisionChokepoint(
      DropGuard guard, DestructionAudit audit, Breakers breakers, MeterRegistry meters) {
    this.chokepoint = new Chokepoint(guard, audit, meters, METRIC, DeprovisionChokepoint::label);
    this.breakers = breakers;
    this.meters = meters;
  }

  /** The registry the provisioner counts on: the one its destructions are counted on. */
  MeterRegistry meters() {
    return meters;
  }

  private static String label(RuntimeException e) {
    return e instanceof ProvisionerException p && p.kind() == ProvisionerException.Kind.CIRCUIT_OPEN
        ? "breaker_open"
        : "error";
  }

  /**
   * Drops one resource's infrastructure through its backend's circuit breaker, then every binding
   * login it still has, as a second guarded and audited teardown. The logins are listed only after
   * the resource's own objects are gone: its database is gone, so they own nothing, and its role or
   * user is gone, so no binding can be made behind the list. A failure of either step fails the
   * drop, which the caller repeats (both steps are idempotent).
   */
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
    dropBindingsLeft(backend, key, providerResourceId, reason, requestId);
  }

  private void dropBindingsLeft(
      ResourceBackend backend,
      InfraKey key,
      ProviderResourceId providerResourceId,
      String reason,
      RequestId requestId) {
    List<BindingLogin> left =
        breakers.of(backend).call(() -> backend.bindingLogins(key, providerResourceId));
    if (left.isEmpty()) {
      return;
    }
    // Each name as the infrastructure holds it goes through the guard before any is dropped.
    destroy(
        new Teardown(
            backend.type().wireName(),
            backend.backendLabel(),
            List.<InfraName>copyOf(left),
            reason,
            requestId,
            () ->
                breakers
                    .of(backend)
                    .run(() ->
                        left.forEach(login ->
                            backend.dropBinding(key, providerResourceId, login.bindingKey())))));
  }

  /** Drops one binding's login, and nothing else of its resource, through the breaker. */
  public void dropBinding(
      ResourceBackend backend,
      InfraKey key,
      ProviderResourceId providerResourceId,
      BindingKey binding,
      String reason,
      RequestId requestId) {
    destroy(
        new Teardown(
            backend.type().wireName(),
            backend.backendLabel(),
            List.of(bindingLogin(key, binding)),
            reason,
            requestId,
            () ->
                breakers
                    .of(backend)
                    .run(() -> backend.dropBinding(key, providerResourceId, binding))));
  }

  // The naming key arrives inside provider_resource_id, which callers send over the wire.
  static BindingLogin bindingLogin(InfraKey key, BindingKey binding) {
    try {
      return BindingLogin.of(key, binding);
    } catch (IllegalArgumentException e) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT, e.getMessage(), null);
    }
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

  /** Any destruction, with the chokepoint's refusals and failures as provisioner errors. */
  public void destroy(Teardown teardown) {
    try {
      chokepoint.destroy(teardown);
    } catch (DestructionUnauditedException e) {
      throw new ProvisionerException(ProvisionerException.Kind.UNAVAILABLE, e.getMessage(), e);
    } catch (DestructionRefusedException e) {
      throw new ProvisionerException(ProvisionerException.Kind.REFUSED, e.getMessage(), null);
    } catch (ProvisionerException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INTERNAL,
          "drop failed (" + e.getClass().getSimpleName().toLowerCase(Locale.ROOT) + ")",
          e);
    }
  }
}
