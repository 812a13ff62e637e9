package dev.instanode.api.resources;

import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.LockTimeouts;
import dev.instanode.store.PendingPropagationRepository;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** A team's resources: read, reveal, delete. Another team's resource does not exist here. */
public final class ResourceService {
  static final String STEP_MARK_DELETING = "resource.mark_deleting";
  static final String STEP_MARK_DELETED = "resource.mark_deleted";

  private final Jdbi jdbi;
  private final ResourceRepository resources;
  private final Provisioner provisioner;
  private final AesGcm aes;
  private final AuditLog audit;
  private final Plans plans;
  private final ProvisionStepHook hook;
  private final String upgradeUrl;

  /**
   * @param upgradeUrl where a free team upgrades; its deletes are refused with this link
   */
  public ResourceService(
      Jdbi jdbi,
      ResourceRepository resources,
      Provisioner provisioner,
      AesGcm aes,
      AuditLog audit,
      Plans plans,
      ProvisionStepHook hook,
      String upgradeUrl) {
    this.jdbi = jdbi;
    this.resources = resources;
    this.provisioner = provisioner;
    this.aes = aes;
    this.audit = audit;
    this.plans = plans;
    this.hook = hook;
    this.upgradeUrl = upgradeUrl;
  }

  public record Page(List<ResourceRecord> items, long total, Optional<String> nextCursor) {}

  public Page list(TeamId team, Optional<String> env, int limit, Optional<String> cursor) {
    Optional<ResourceRepository.Keyset> after = cursor.map(ResourceService::decode);
    List<ResourceRecord> rows = resources.pageForTeam(team, env, after, limit + 1);
    boolean more = rows.size() > limit;
    List<ResourceRecord> page = more ? rows.subList(0, limit) : rows;
    Optional<String> next = more ? Optional.of(encode(page.getLast())) : Optional.empty();
    return new Page(List.copyOf(page), resources.countForTeam(team, env), next);
  }

  public ResourceRecord get(TeamId team, ResourceToken token) {
    return resources.findForTeam(team, token).orElseThrow(ResourceService::notFound);
  }

  /** The plaintext URL; every reveal is audited. */
  public String credentials(TeamId team, ResourceToken token, RequestId request) {
    ResourceRecord r = get(team, token);
    String url =
        aes.decrypt(
            r.encryptedConnectionUrl()
                .orElseThrow(() ->
                    new ApiException(ErrorCode.NOT_FOUND, "This resource has no credentials.")));
    audit.record(
        event(team, r, AuditKind.CONNECTION_URL_DECRYPTED, "Connection URL revealed", request));
    return url;
  }

  /**
   * A new password for the resource; the old one stops working at once (open sessions are ended by
   * the provisioner). The new URL is stored before it is returned.
   */
  public String rotate(TeamId team, ResourceToken token, RequestId request) {
    record Rotated(ResourceRecord row, String url) {}
    Rotated rotated;
    try {
      // The row lock orders concurrent rotations and keeps a delete from racing this one; the
      // stored URL is always the live password's.
      rotated =
          underLock(h -> {
            ResourceRecord r =
                resources.lockLive(h, team, token).orElseThrow(ResourceService::notFound);
            String url =
                provisioner
                    .rotateCredentials(
                        new RotateRequest(
                            r.token(), r.type(), r.providerResourceId().orElse(""), request))
                    .connectionUrl();
            resources.updateConnectionUrl(h, r.id(), aes.encrypt(url));
            return new Rotated(r, url);
          });
    } catch (ProvisionerException e) {
      throw new ApiException(
          ErrorCode.PROVISION_FAILED, "The credentials could not be rotated; retry.", e);
    }
    audit.record(
        event(team, rotated.row(), AuditKind.CREDENTIALS_ROTATED, "Credentials rotated", request));
    return rotated.url();
  }

  /**
   * Record first, drop, then bookkeep. One transaction marks the row {@code deleting} (a rotation
   * in flight finishes first); a second one locks it again, drops the infrastructure and marks it
   * {@code deleted}, so two deletes never both drop. A failed drop, or a crash at any step, leaves
   * a {@code deleting} row that a retried DELETE or the provisioner reconciler finishes, since
   * drops are idempotent.
   */
  public void delete(TeamId team, ResourceToken token, RequestId request) {
    ResourceRecord r =
        underLock(h -> {
          Tier tier = IdentityRepository.lockPlan(h, team).orElseThrow(ResourceService::notFound);
          if (plans.of(tier).expires()) {
            // The original's rule, which its clients handle: free resources expire, never delete.
            throw ApiException.withUpgradeUrl(
                ErrorCode.PAID_TIER_ONLY,
                "Free-tier resources are not deleted; they expire at expires_at. Upgrade the team"
                    + " to delete them.",
                upgradeUrl);
          }
          ResourceRecord row =
              resources.lockDeletable(h, team, token).orElseThrow(ResourceService::notFound);
          resources.markDeleting(h, row.id());
          return row;
        });
    hook.afterStep(STEP_MARK_DELETING, r.token().toString());
    boolean dropped;
    try {
      dropped =
          underLock(h -> {
            if (resources.lockDeleting(h, team, token).isEmpty()) {
              return false; // another delete finished it while this one waited
            }
            provisioner.deprovision(
                new DeprovisionRequest(
                    r.token(),
                    r.type(),
                    r.providerResourceId().orElse(""),
                    "user_delete",
                    request));
            resources.markDeleted(h, r.id());
            return true;
          });
    } catch (ProvisionerException e) {
      throw new ApiException(
          ErrorCode.DEPROVISION_FAILED,
          "The resource could not be dropped yet; it stays 'deleting' and the drop is retried.",
          e);
    }
    if (!dropped) {
      throw notFound();
    }
    hook.afterStep(STEP_MARK_DELETED, r.token().toString());
    audit.record(event(team, r, AuditKind.RESOURCE_DELETED, "Resource deleted", request));
  }

  /** A transaction whose row lock times out answers a retryable 503. */
  private <T> T underLock(HandleCallback<T, RuntimeException> work) {
    try {
      return jdbi.inTransaction(work);
    } catch (JdbiException e) {
      if (LockTimeouts.isTimeout(e)) {
        throw new ApiException(
            ErrorCode.RESOURCE_BUSY, "Another change holds this resource; retry shortly.", e);
      }
      throw e;
    }
  }

  /**
   * Older clients: moves one anonymous resource (its token is the credential) into a team. A paying
   * team gets it at its own tier with no expiry, and its limits are pushed down; a free team gets
   * it at the free tier, expiring by the free plan's TTL. Claiming one the team already owns
   * answers the same resource again (a client retrying after a lost reply), without a second audit
   * row.
   */
  public ResourceRecord claimOne(TeamId team, ResourceToken token, RequestId request) {
    boolean moved =
        jdbi.inTransaction(h -> {
          Tier tier = IdentityRepository.lockPlan(h, team).orElseThrow(ResourceService::notFound);
          int count =
              plans.of(tier).expires()
                  ? resources.moveToTeam(h, List.of(token), team)
                  : resources.moveToPayingTeam(h, List.of(token), team, tier);
          if (count == 1 && !plans.of(tier).expires()) {
            PendingPropagationRepository.enqueueTierElevation(h, team, tier);
          }
          return count == 1;
        });
    ResourceRecord r = get(team, token);
    if (!moved) {
      return r;
    }
    audit.record(event(team, r, AuditKind.RESOURCE_CLAIMED, "Anonymous resource claimed", request));
    return r;
  }

  private static AuditEvent event(
      TeamId team, ResourceRecord r, AuditKind kind, String summary, RequestId request) {
    return new AuditEvent(
        Optional.of(team),
        AuditEvent.Actor.USER,
        kind,
        Optional.of(r.type().wireName()),
        Optional.of(r.id()),
        summary,
        Map.of("token", r.token().masked()),
        Optional.of(request.value()));
  }

  static ApiException notFound() {
    return new ApiException(ErrorCode.NOT_FOUND, "No such resource.");
  }

  static String encode(ResourceRecord last) {
    String raw = last.createdAt().toString() + "|" + last.id();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static ResourceRepository.Keyset decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      return new ResourceRepository.Keyset(
          Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw new ApiException(ErrorCode.INVALID_QUERY, "The cursor is not one this API issued.");
    }
  }
}
