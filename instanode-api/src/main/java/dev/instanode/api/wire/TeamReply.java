package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;

/**
 * {@code GET} and {@code PATCH /api/v1/team}: the caller's team. {@code default_env} is the env a
 * member's new resources and stacks get when they name none; {@code settings} is the team's own
 * key-value object; {@code members_limit} is the plan's {@code team_members} (every plan caps it;
 * -1 would mean unlimited).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TeamReply(@JsonProperty("ok") boolean ok, @JsonProperty("team") Team team) {

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Team(
      @JsonProperty("id") String id,
      @JsonProperty("name") String name,
      @JsonProperty("plan_tier") String planTier,
      @JsonProperty("status") String status,
      @JsonProperty("default_env") String defaultEnv,
      @JsonProperty("settings") Map<String, Object> settings,
      @JsonProperty("members_limit") int membersLimit,
      @JsonProperty("your_role") String yourRole,
      @JsonProperty("created_at") Instant createdAt) {}
}
