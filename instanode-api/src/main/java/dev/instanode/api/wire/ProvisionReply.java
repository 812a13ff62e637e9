package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Optional;

/**
 * The 201 body of {@code POST /db/new} and friends. What does not apply is left out rather than
 * null: a paid resource has no {@code expires_at}, a team's no {@code note}/{@code upgrade}, only a
 * cache has a {@code key_prefix}, only a webhook receiver a {@code receive_url} (its {@code
 * connection_url} too: where the requests it stores are sent), only object storage a {@code
 * presign_url} (its {@code connection_url} is where its objects live, which only presigned requests
 * reach). {@code backend} ({@code dedicated} or {@code shared}) is said only to a team whose plan
 * gives resources their own server.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ProvisionReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("id") String id,
    @JsonProperty("token") String token,
    @JsonProperty("name") String name,
    @JsonProperty("resource_type") String resourceType,
    @JsonProperty("connection_url") String connectionUrl,
    @JsonProperty("receive_url") Optional<String> receiveUrl,
    @JsonProperty("presign_url") Optional<String> presignUrl,
    @JsonProperty("tier") String tier,
    @JsonProperty("env") String env,
    @JsonProperty("expires_at") Optional<Instant> expiresAt,
    @JsonProperty("limits") Limits limits,
    @JsonProperty("key_prefix") Optional<String> keyPrefix,
    @JsonProperty("note") Optional<String> note,
    @JsonProperty("upgrade") Optional<String> upgrade,
    @JsonProperty("upgrade_jwt") Optional<String> upgradeJwt,
    @JsonProperty("warning") Optional<String> warning,
    @JsonProperty("backend") Optional<String> backend) {

  /**
   * A database has {@code storage_mb}, a cache {@code memory_mb}, a webhook receiver {@code
   * requests_stored} (and no {@code connections}); an expiring one {@code expires_in}.
   */
  @JsonInclude(JsonInclude.Include.NON_ABSENT)
  public record Limits(
      @JsonProperty("storage_mb") Optional<Long> storageMb,
      @JsonProperty("memory_mb") Optional<Long> memoryMb,
      @JsonProperty("requests_stored") Optional<Long> requestsStored,
      @JsonProperty("connections") Optional<Long> connections,
      @JsonProperty("expires_in") Optional<String> expiresIn) {}
}
