package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /healthz}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record HealthReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("service") String service,
    @JsonProperty("version") String version,
    @JsonProperty("commit_id") String commitId,
    @JsonProperty("migration_version") String migrationVersion,
    @JsonProperty("uptime_seconds") long uptimeSeconds) {}
