package dev.instanode.store;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceId;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of {@code resources}. The connection URL stays encrypted here.
 *
 * @param storageBytes storage (or memory) last measured by the limits job
 * @param storageExceeded its writes are stopped for being over its plan
 */
public record ResourceRecord(
    ResourceId id,
    ResourceToken token,
    Optional<TeamId> teamId,
    ResourceType type,
    String name,
    String env,
    Tier tier,
    ResourceStatus status,
    Optional<String> fingerprint,
    Optional<String> encryptedConnectionUrl,
    Optional<ProviderResourceId> providerResourceId,
    Optional<String> keyPrefix,
    Optional<Integer> appliedConnLimit,
    long storageBytes,
    boolean storageExceeded,
    Optional<Instant> expiresAt,
    Instant createdAt) {

  public ResourceRecord {
    requireNonNull(id, "id is null");
    requireNonNull(token, "token is null");
    requireNonNull(teamId, "teamId is null");
    requireNonNull(type, "type is null");
    requireNonNull(name, "name is null");
    requireNonNull(env, "env is null");
    requireNonNull(tier, "tier is null");
    requireNonNull(status, "status is null");
    requireNonNull(expiresAt, "expiresAt is null");
    requireNonNull(createdAt, "createdAt is null");
  }
}
