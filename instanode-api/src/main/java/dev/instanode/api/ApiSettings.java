package dev.instanode.api;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.ResourceType;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What the HTTP surface needs to know about its deployment.
 *
 * @param publicBaseUrl the URL callers reach this api on, used in links handed back to them
 * @param anonymousTtl how long anonymous and free resources live
 * @param enabledServices resource types whose backend is configured; others answer 503
 * @param maxBodyBytes bodies above this are refused with 413
 * @param metricsToken when set, {@code /metrics} needs it as a bearer token
 * @param upgradeUrl where a free team upgrades, handed out as {@code upgrade_url}
 * @param legacyApiKeyTtl lifetime of the keys {@code GET /api/me/token} mints
 */
public record ApiSettings(
    String publicBaseUrl,
    String upgradeUrl,
    Duration legacyApiKeyTtl,
    Duration anonymousTtl,
    Set<ResourceType> enabledServices,
    long maxBodyBytes,
    String version,
    String commitId,
    Optional<String> metricsToken) {
  public ApiSettings {
    requireNonNull(publicBaseUrl, "publicBaseUrl is null");
    requireNonNull(upgradeUrl, "upgradeUrl is null");
    requireNonNull(legacyApiKeyTtl, "legacyApiKeyTtl is null");
    requireNonNull(anonymousTtl, "anonymousTtl is null");
    enabledServices = Set.copyOf(enabledServices);
    requireNonNull(version, "version is null");
    requireNonNull(commitId, "commitId is null");
    requireNonNull(metricsToken, "metricsToken is null");
  }
}
