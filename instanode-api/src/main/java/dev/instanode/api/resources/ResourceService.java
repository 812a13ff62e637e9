package dev.instanode.api.resources;

import dev.instanode.api.http.Pages;
import dev.instanode.api.wire.CredentialsReply;
import dev.instanode.api.wire.DeletedReply;
import dev.instanode.api.wire.LegacyClaimReply;
import dev.instanode.api.wire.LegacyClaimRequest;
import dev.instanode.api.wire.LegacyDeleteReply;
import dev.instanode.api.wire.LegacyResource;
import dev.instanode.api.wire.ResourceItem;
import dev.instanode.api.wire.ResourceListReply;
import dev.instanode.api.wire.ResourceReply;
import dev.instanode.api.wire.RotateReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceNames;
import dev.instanode.core.ResourceStatus;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** A team's resources: read, reveal, delete. Another team's resource does not exist here. */
public final class ResourceService {
  private static final int MAX_LIMIT = Pages.MAX_LIMIT;
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
  private final LiveUsage liveUsage;

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
      String upgradeUrl,
      LiveUsage liveUsage) {
    this.liveUsage = liveUsage;
    this.jdbi = jdbi;
    this.resources = resources;
    this.provisioner = provisioner;
    this.aes = aes;
    this.audit = audit;
    this.plans = plans;
    this.hook = hook;
    this.upgradeUrl = upgradeUrl;
  }

  /**
   * One page of the team's resources, newest first.
   *
   * @param env only this env; blank means every env
   * @param limit 1 to 200 as the client sent it; blank means 50
   * @param cursor the {@code next_cursor} of the previous page; blank means the first page
   */
  public ResourceListReply list(
      TeamId team, Optional<String> env, Optional<String> limit, Optional<String> cursor) {
    Optional<String> onlyEnv = env(env);
    Page page = page(team, onlyEnv, Pages.limit(limit), Pages.after(cursor));
    return new ResourceListReply(
        true,
        page.rows().stream().map(ResourceView::item).toList(),
        resources.countForTeam(team, onlyEnv),
        page.nextCursor());
  }

  /** Older clients: the newest {@value #MAX_LIMIT} of every env, as a bare array. */
  public List<LegacyResource> legacyList(TeamId team) {
    return page(team, Optional.empty(), MAX_LIMIT, Optional.empty()).rows().stream()
        .map(ResourceView::brief)
        .toList();
  }

  private record Page(List<ResourceRecord> rows, Optional<String> nextCursor) {}

  private Page page(
      TeamId team, Optional<String> env, int limit, Optional<ResourceRepository.Keyset> after) {
    List<ResourceRecord> rows = resources.pageForTeam(team, env, after, limit + 1);
    boolean more = rows.size() > limit;
    List<ResourceRecord> page = more ? rows.subList(0, limit) : rows;
    Optional<String> next =
        more
            ? Optional.of(Pages.encode(page.getLast().createdAt(), page.getLast().id().value()))
            : Optional.empty();
    return new Page(List.copyOf(page), next);
  }

  private static Optional<String> env(Optional<String> raw) {
    Optional<String> env = raw.filter(e -> !e.isBlank());
    if (env.isPresent() && !ResourceNames.isValidEnv(env.get())) {
      throw new ApiException(
          ErrorCode.INVALID_ENV,
          "The env must be 1-32 characters of lower-case letters, digits or '-'.");
    }
    return env;
  }

  /** One resource; a kind measured on read (object storage) shows its usage as of now. */
  public ResourceReply get(TeamId team, ResourceToken token) {
    ResourceRecord r = row(team, token);
    ResourceItem item = ResourceView.item(r);
    return ResourceReply.of(
        liveUsage
            .read(r)
            .map(now ->
                new ResourceItem(
                    item.id(),
                    item.token(),
                    item.name(),
                    item.resourceType(),
                    item.env(),
                    item.tier(),
                    item.status(),
                    item.createdAt(),
                    item.expiresAt(),
                    now.bytes(),
                    now.exceeded()))
            .orElse(item));
  }

  private ResourceRecord row(TeamId team, ResourceToken token) {
    return resources.findForTeam(team, token).orElseThrow(ResourceService::notFound);
  }

  /** The plaintext URL; every reveal is audited. */
  public CredentialsReply credentials(TeamId team, ResourceToken token, RequestId request) {
    ResourceRecord r = row(team, token);
    requireNotPending(r);
    String url =
        aes.decrypt(
            r.encryptedConnectionUrl()
                .orElseThrow(() ->
                    new ApiException(ErrorCode.NOT_FOUND, "This resource has no credentials.")));
    audit.record(
        event(team, r, AuditKind.CONNECTION_URL_DECRYPTED, "Connection URL revealed", request));
    return new CredentialsReply(true, token.toString(), r.type().wireName(), url);
  }

  /**
   * A new password for the resource; the old one stops working at once (open sessions are ended by
   * the provisioner). The new URL is stored before it is returned.
   */
  public RotateReply rotate(TeamId team, ResourceToken token, RequestId request) {
    record Rotated(ResourceRecord row, String url) {}
    Rotated rotated;
    try {
      // The row lock orders concurrent rotations and keeps a delete from racing this one; the
      // stored URL is always the live password's.
      rotated =
          underLock(h -> {
            ResourceRecord r =
                resources.lockLive(h, team, token).orElseThrow(ResourceService::notFound);
            if (!ResourceKinds.of(r.type()).password()) {
              throw new ApiException(
                  ErrorCode.NOT_ROTATABLE,
                  "A " + r.type().wireName() + " has no password to rotate.");
            }
            String url =
                provisioner
                    .rotateCredentials(
                        new RotateRequest(
                            r.token(),
                            r.type(),
                            r.providerResourceId().orElse(ProviderResourceId.NONE),
                            request))
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
    return new RotateReply(true, rotated.url());
  }

  /**
   * Record first, drop, then bookkeep. One transaction marks the row {@code deleting} (a rotation
   * in flight finishes first); a second one locks it again, drops the infrastructure and marks it
   * {@code deleted}, so two deletes never both drop. A failed drop, or a crash at any step, leaves
   * a {@code deleting} row that a retried DELETE or the provisioner reconciler finishes, since
   * drops are idempotent.
   */
  public DeletedReply delete(TeamId team, ResourceToken token, RequestId request) {
    drop(team, token, request);
    return new DeletedReply(true, "Resource deleted");
  }

  /** Older clients: the same delete, answered in their shape. */
  public LegacyDeleteReply legacyDelete(TeamId team, ResourceToken token, RequestId request) {
    drop(team, token, request);
    return new LegacyDeleteReply(true, token.toString(), "deleted", "Resource deleted");
  }

  private void drop(TeamId team, ResourceToken token, RequestId request) {
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
          requireNotPending(row);
          resources.markDeleting(h, row.id());
          return row;
        });
    hook.afterStep(STEP_MARK_DELETING, r.token());
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
                    r.providerResourceId().orElse(ProviderResourceId.NONE),
                    "user_delete",
                    request));
            resources.markDeleted(h, r.id());
            // Keys limited to it (its bindings') would reach nothing now: they go with it.
            IdentityRepository.revokeResourceKeys(h, r.id());
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
    hook.afterStep(STEP_MARK_DELETED, r.token());
    audit.record(event(team, r, AuditKind.RESOURCE_DELETED, "Resource deleted", request));
  }

  /**
   * A pending resource's server is still being made (a dedicated one takes minutes): it has no URL
   * yet, and a delete now would race what is being made. It ends active or failed.
   */
  private static void requireNotPending(ResourceRecord r) {
    if (r.status() == ResourceStatus.PENDING) {
      throw new ApiException(
          ErrorCode.RESOURCE_PENDING,
          "This resource is still being created; poll it until its status is active or failed.",
          OptionalInt.of(5),
          null);
    }
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
   * row. A {@code token} that is not a UUID is a resource that does not exist.
   */
  public LegacyClaimReply claimOne(TeamId team, LegacyClaimRequest claim, RequestId request) {
    ResourceToken token =
        claim
            .token()
            .map(t -> ResourceToken.parse(t).orElseThrow(ResourceService::notFound))
            .orElseThrow(() ->
                new ApiException(ErrorCode.INVALID_TOKEN, "A resource \"token\" is required."));
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
    ResourceRecord r = row(team, token);
    if (moved) {
      audit.record(
          event(team, r, AuditKind.RESOURCE_CLAIMED, "Anonymous resource claimed", request));
    }
    return LegacyClaimReply.of(ResourceView.brief(r));
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

  public static ApiException notFound() {
    return new ApiException(ErrorCode.NOT_FOUND, "No such resource.");
  }
}
