package dev.instanode.provisioner.webhook;

import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.names.InfraName;
import dev.instanode.core.names.WebhookInbox;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.engine.ResourceBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Webhook receivers. A receiver is its token: the api stores what is sent to its URL in the
 * platform's {@code webhook_requests}, holding it to the plan as each request lands, so making one
 * creates nothing, and dropping one deletes its stored requests, in batches, through the audited
 * chokepoint like every other drop.
 */
public final class WebhookBackend implements ResourceBackend {
  static final String PROVIDER = "platform:webhook";

  /** Rows deleted a statement, so a drop of a full receiver never holds a long lock. */
  static final int DROP_BATCH = 5_000;

  private final Jdbi platform;
  private final String publicBaseUrl;

  /**
   * @param platform the platform database, which holds the stored requests
   * @param publicBaseUrl where clients reach the api: a receiver's URL is under it
   */
  public WebhookBackend(Jdbi platform, String publicBaseUrl) {
    this.platform = platform;
    this.publicBaseUrl = publicBaseUrl.replaceAll("/+$", "");
  }

  @Override
  public ResourceType type() {
    return ResourceType.WEBHOOK;
  }

  @Override
  public String backendLabel() {
    return "platform";
  }

  /** The receive URL; the receiver exists once its resource row does. */
  @Override
  public ProvisionResult provision(InfraKey key, Tier tier, RequestId requestId) {
    return new ProvisionResult(
        receiveUrl(key), ProviderResourceId.of(PROVIDER), Optional.empty(), -1);
  }

  private String receiveUrl(InfraKey key) {
    return publicBaseUrl + "/webhook/receive/" + key.text();
  }

  @Override
  public List<InfraName> objectNames(InfraKey key) {
    return List.of(WebhookInbox.of(key));
  }

  /**
   * Deletes every request the receiver stored, a batch at a time, then its settings; idempotent.
   */
  @Override
  public void drop(InfraKey key, ProviderResourceId providerResourceId) {
    UUID token = token(key);
    try {
      int deleted;
      do {
        deleted =
            platform.withHandle(h ->
                h.createUpdate(
                        "DELETE FROM webhook_requests WHERE id IN (SELECT id FROM"
                            + " webhook_requests WHERE token = :token LIMIT :batch)")
                    .bind("token", token)
                    .bind("batch", DROP_BATCH)
                    .execute());
      } while (deleted == DROP_BATCH);
      platform.useHandle(h ->
          h.createUpdate("DELETE FROM webhook_receivers WHERE token = :token")
              .bind("token", token)
              .execute());
    } catch (JdbiException e) {
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "webhook drop failed", e);
    }
  }

  private static UUID token(InfraKey key) {
    if (!(key instanceof ResourceToken token)) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT, "a webhook receiver is never pooled", null);
    }
    return token.value();
  }

  /** Its limits are held as each request is stored; there is nothing on a server to change. */
  @Override
  public RegradeResult regrade(InfraKey key, ProviderResourceId providerResourceId, Tier tier) {
    return RegradeResult.skipped(-1, SkipReason.UNSUPPORTED_TYPE, RegradeResult.UNSUPPORTED_TYPE);
  }

  /** Held as each request is stored: the limits job has nothing to measure. */
  @Override
  public UsageReport usage() {
    return new UsageReport(List.of(), false, false);
  }

  /** Stored requests of receivers no row names are dropped with their receiver's expiry. */
  @Override
  public List<InventoryItem> inventory() {
    return List.of();
  }

  @Override
  public boolean setWritesBlocked(
      InfraKey key, ProviderResourceId providerResourceId, boolean blocked) {
    return false;
  }

  @Override
  public long shedDownTo(InfraKey key, ProviderResourceId providerResourceId, long keepBytes) {
    return 0;
  }

  @Override
  public int closeConnectionsOver(InfraKey key, ProviderResourceId providerResourceId, long cap) {
    return 0;
  }

  @Override
  public RunawayResult stopRunawayWork(
      Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise) {
    return new RunawayResult(0, 0);
  }

  /** The bytes of the bodies it holds. */
  @Override
  public long storageBytes(InfraKey key, ProviderResourceId providerResourceId) {
    try {
      return platform.withHandle(h ->
          h.createQuery(
                  "SELECT COALESCE(sum(octet_length(body)), 0) FROM webhook_requests"
                      + " WHERE token = :token")
              .bind("token", token(key))
              .mapTo(Long.class)
              .one());
    } catch (JdbiException e) {
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "webhook storage read failed", e);
    }
  }

  /** Its URL is its token, which is also its name: there is no password to change. */
  @Override
  public String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId) {
    throw new ProvisionerException(
        ProvisionerException.Kind.INVALID_ARGUMENT,
        "a webhook receiver has no credentials to rotate",
        null);
  }
}
