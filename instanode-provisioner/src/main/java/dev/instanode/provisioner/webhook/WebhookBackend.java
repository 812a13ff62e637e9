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
import dev.instanode.provisioner.engine.HeldOnWriteBackend;
import java.util.List;
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
public final class WebhookBackend implements HeldOnWriteBackend {
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

  /** Stored requests of receivers no row names are dropped with their receiver's expiry. */
  @Override
  public List<InventoryItem> inventory() {
    return List.of();
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
