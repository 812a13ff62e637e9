package dev.instanode.api.provision;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.Fingerprint;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.Tier;
import java.util.Optional;

/** A validated request for one resource. {@code teamId} is empty for anonymous callers. */
public record ProvisionCommand(
    ResourceType type,
    String name,
    String env,
    Tier tier,
    Optional<TeamId> teamId,
    Optional<Fingerprint> fingerprint,
    RequestId requestId) {
  public ProvisionCommand {
    requireNonNull(type, "type is null");
    requireNonNull(name, "name is null");
    requireNonNull(env, "env is null");
    requireNonNull(tier, "tier is null");
    requireNonNull(teamId, "teamId is null");
    requireNonNull(fingerprint, "fingerprint is null");
    requireNonNull(requestId, "requestId is null");
  }
}
