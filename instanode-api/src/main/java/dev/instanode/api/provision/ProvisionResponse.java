package dev.instanode.api.provision;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The 201 body of {@code POST /db/new} and friends, field for field as API.md fixes it. */
public record ProvisionResponse(
    boolean ok,
    String id,
    String token,
    String name,
    String resourceType,
    String connectionUrl,
    String tier,
    String env,
    Optional<Instant> expiresAt,
    Map<String, Object> limits,
    Optional<String> keyPrefix,
    Optional<String> note,
    Optional<String> upgrade,
    Optional<String> upgradeJwt,
    Optional<String> warning) {}
