package dev.instanode.store;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.time.Instant;
import java.util.Optional;

/** What the api knows before provisioning starts. */
public record NewResource(
    ResourceToken token,
    Optional<TeamId> teamId,
    ResourceType type,
    String name,
    String env,
    Tier tier,
    Optional<String> fingerprint,
    Optional<Instant> expiresAt,
    RequestId requestId) {
  public NewResource {
    requireNonNull(token, "token is null");
    requireNonNull(teamId, "teamId is null");
    requireNonNull(type, "type is null");
    requireNonNull(name, "name is null");
    requireNonNull(env, "env is null");
    requireNonNull(tier, "tier is null");
    requireNonNull(fingerprint, "fingerprint is null");
    requireNonNull(expiresAt, "expiresAt is null");
    requireNonNull(requestId, "requestId is null");
  }
}
