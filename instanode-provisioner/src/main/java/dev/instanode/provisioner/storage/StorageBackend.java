package dev.instanode.provisioner.storage;

import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.names.InfraName;
import dev.instanode.core.names.ObjectPrefix;
import dev.instanode.objects.ObjectStore;
import dev.instanode.objects.ObjectStoreException;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.engine.HeldOnWriteBackend;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Object storage: each tenant is the prefix {@code <token>/} of one shared bucket and never holds
 * the bucket's key (the api presigns single requests under the prefix). Making one creates nothing
 * (the prefix exists once something is uploaded); dropping one deletes every object under it, after
 * the chokepoint has checked and audited the prefix.
 */
public final class StorageBackend implements HeldOnWriteBackend {
  private static final Logger LOG = LoggerFactory.getLogger(StorageBackend.class);
  static final String PROVIDER = "objects:shared";

  /**
   * How long after a drop its prefix is emptied again: past the longest a presigned URL lives (one
   * hour), so a URL issued just before the drop cannot leave objects behind.
   */
  public static final Duration RECHECK_AFTER = Duration.ofMinutes(65);

  private final ObjectStore store;
  private final Jdbi provisionerDb;

  /**
   * @param provisionerDb holds the prefixes to empty again ({@code object_prefix_rechecks})
   */
  public StorageBackend(ObjectStore store, Jdbi provisionerDb) {
    this.store = store;
    this.provisionerDb = provisionerDb;
  }

  @Override
  public ResourceType type() {
    return ResourceType.STORAGE;
  }

  @Override
  public String backendLabel() {
    return "objects";
  }

  /** Where its objects live; nothing there until the first presigned upload. */
  @Override
  public ProvisionResult provision(InfraKey key, Tier tier, RequestId requestId) {
    return new ProvisionResult(
        store.locationOf(prefix(key)), ProviderResourceId.of(PROVIDER), Optional.empty(), -1);
  }

  @Override
  public List<InfraName> objectNames(InfraKey key) {
    return List.of(prefix(key));
  }

  /**
   * Every object under the prefix, a page at a time; idempotent. Then the prefix is booked to be
   * emptied again once every URL presigned before now has expired ({@link PrefixRechecks}).
   */
  @Override
  public void drop(InfraKey key, ProviderResourceId providerResourceId) {
    ObjectPrefix prefix = prefix(key);
    try {
      long deleted = store.deleteUnder(prefix);
      LOG.info("emptied object prefix {} ({} objects)", prefix.masked(), deleted);
      provisionerDb.useHandle(h ->
          h.createUpdate(
                  "INSERT INTO object_prefix_rechecks (token, due_at)"
                      + " VALUES (:t, now() + make_interval(secs => :after))"
                      + " ON CONFLICT (token) DO NOTHING")
              .bind("t", ((ResourceToken) key).value())
              .bind("after", RECHECK_AFTER.toSeconds())
              .execute());
    } catch (ObjectStoreException | JdbiException e) {
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "object storage drop failed", e);
    }
  }

  static ObjectPrefix prefix(InfraKey key) {
    if (!(key instanceof ResourceToken token)) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT, "a storage prefix is never pooled", null);
    }
    return ObjectPrefix.of(token);
  }

  /**
   * None: a bucket's prefixes carry nothing that says which installation made them, and a bucket
   * shared by mistake (staging and production) would make every other installation's tenants look
   * like orphans to the sweep. A prefix exists only under a row (uploads are presigned for live
   * rows), and a failed drop leaves its row reapable, so the expiry and delete paths retry it.
   */
  @Override
  public List<InventoryItem> inventory() {
    return List.of();
  }

  @Override
  public long storageBytes(InfraKey key, ProviderResourceId providerResourceId) {
    try {
      return store.usage(prefix(key)).bytes();
    } catch (ObjectStoreException e) {
      throw new ProvisionerException(
          ProvisionerException.Kind.UNAVAILABLE, "object storage read failed", e);
    }
  }

  /** A tenant holds no credential of its own: each presigned URL is one, and expires. */
  @Override
  public String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId) {
    throw new ProvisionerException(
        ProvisionerException.Kind.INVALID_ARGUMENT,
        "object storage has no credentials to rotate",
        null);
  }
}
