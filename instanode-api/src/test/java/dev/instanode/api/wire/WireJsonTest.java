package dev.instanode.api.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.http.Json;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every reply serialises to the bytes existing clients read: these names, this order, nulls where
 * older clients expect the key, nothing where a field does not apply. The records carry their own
 * names and inclusion, so a plain mapper (an MCP transport, a test) writes the same as the API's.
 */
class WireJsonTest {
  private static final Instant CREATED = Instant.parse("2026-11-22T10:00:00Z");
  private static final Instant EXPIRES = Instant.parse("2026-11-23T10:00:00Z");

  static List<Arguments> replies() {
    ResourceItem item =
        new ResourceItem(
            "i",
            "t",
            "db",
            "postgres",
            "development",
            "hobby",
            "active",
            CREATED,
            Optional.empty(),
            0,
            false);
    LegacyResource brief =
        new LegacyResource(
            "i", "t", "redis", "c", "anonymous", "active", CREATED, Optional.of(EXPIRES));
    StackSlug slug = new StackSlug("stk-0a1b2c3d");
    return List.of(
        Arguments.of(new LivenessReply(true), "{\"alive\":true}"),
        Arguments.of(
            new StackCreatedReply(
                true,
                slug,
                "deploying",
                "anonymous",
                "development",
                Optional.of("6h"),
                "simulated",
                "n",
                Optional.empty(),
                Optional.of("jwt"),
                Optional.empty()),
            "{\"ok\":true,\"stack_id\":\"stk-0a1b2c3d\",\"status\":\"deploying\","
                + "\"tier\":\"anonymous\",\"env\":\"development\",\"expires_in\":\"6h\","
                + "\"cluster\":\"simulated\",\"note\":\"n\",\"upgrade_jwt\":\"jwt\"}"),
        Arguments.of(
            new StackListReply(
                true,
                "kubernetes",
                List.of(
                    new StackListReply.Item(
                        slug,
                        "app",
                        "healthy",
                        "pro",
                        NamespaceName.forStack(slug),
                        "development",
                        CREATED)),
                Optional.empty()),
            "{\"ok\":true,\"cluster\":\"kubernetes\",\"items\":[{\"stack_id\":\"stk-0a1b2c3d\",\"name\":\"app\","
                + "\"status\":\"healthy\",\"tier\":\"pro\","
                + "\"namespace\":\"instant-stack-stk-0a1b2c3d\",\"env\":\"development\","
                + "\"created_at\":\"2026-11-22T10:00:00Z\"}],\"next_cursor\":null}"),
        Arguments.of(
            new HealthReply(true, "instanode-api", "1.0", "abc", null, 5),
            "{\"ok\":true,\"service\":\"instanode-api\",\"version\":\"1.0\",\"commit_id\":\"abc\","
                + "\"migration_version\":null,\"uptime_seconds\":5}"),
        Arguments.of(
            new ReadinessReply(
                "degraded", List.of(new ReadinessReply.Check("redis", false, "failed", "timeout"))),
            "{\"overall\":\"degraded\",\"checks\":[{\"name\":\"redis\",\"critical\":false,"
                + "\"status\":\"failed\",\"code\":\"timeout\"}]}"),
        Arguments.of(
            new ProvisionReply(
                true,
                "i",
                "t",
                "db",
                "postgres",
                "postgres://u:p@h/d",
                Optional.empty(),
                Optional.empty(),
                "anonymous",
                "development",
                Optional.of(EXPIRES),
                new ProvisionReply.Limits(
                    Optional.of(10L),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(2L),
                    Optional.of("24h")),
                Optional.empty(),
                Optional.of("Works for 24h."),
                Optional.of("https://x/claim"),
                Optional.of("jwt"),
                Optional.empty(),
                Optional.empty()),
            "{\"ok\":true,\"id\":\"i\",\"token\":\"t\",\"name\":\"db\",\"resource_type\":\"postgres\","
                + "\"connection_url\":\"postgres://u:p@h/d\",\"tier\":\"anonymous\","
                + "\"env\":\"development\",\"expires_at\":\"2026-11-23T10:00:00Z\","
                + "\"limits\":{\"storage_mb\":10,\"connections\":2,\"expires_in\":\"24h\"},"
                + "\"note\":\"Works for 24h.\",\"upgrade\":\"https://x/claim\",\"upgrade_jwt\":\"jwt\"}"),
        Arguments.of(
            new ProvisionReply(
                true,
                "i",
                "t",
                "c",
                "redis",
                "redis://u:p@h:6379/0",
                Optional.empty(),
                Optional.empty(),
                "pro",
                "development",
                Optional.empty(),
                new ProvisionReply.Limits(
                    Optional.empty(),
                    Optional.of(256L),
                    Optional.empty(),
                    Optional.of(50L),
                    Optional.empty()),
                Optional.of("kp"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of("dedicated")),
            "{\"ok\":true,\"id\":\"i\",\"token\":\"t\",\"name\":\"c\",\"resource_type\":\"redis\","
                + "\"connection_url\":\"redis://u:p@h:6379/0\",\"tier\":\"pro\",\"env\":\"development\","
                + "\"limits\":{\"memory_mb\":256,\"connections\":50},\"key_prefix\":\"kp\","
                + "\"backend\":\"dedicated\"}"),
        Arguments.of(
            new ResourceListReply(true, List.of(item), 1, Optional.empty()),
            "{\"ok\":true,\"items\":[{\"id\":\"i\",\"token\":\"t\",\"name\":\"db\","
                + "\"resource_type\":\"postgres\",\"env\":\"development\",\"tier\":\"hobby\","
                + "\"status\":\"active\",\"created_at\":\"2026-11-22T10:00:00Z\",\"expires_at\":null,"
                + "\"storage_bytes\":0,\"storage_exceeded\":false}],\"total\":1,\"next_cursor\":null}"),
        Arguments.of(
            ResourceReply.of(item),
            "{\"ok\":true,\"item\":{\"id\":\"i\",\"token\":\"t\",\"name\":\"db\","
                + "\"resource_type\":\"postgres\",\"env\":\"development\",\"tier\":\"hobby\","
                + "\"status\":\"active\",\"created_at\":\"2026-11-22T10:00:00Z\",\"expires_at\":null,"
                + "\"storage_bytes\":0,\"storage_exceeded\":false},\"resource\":{\"id\":\"i\","
                + "\"token\":\"t\",\"name\":\"db\",\"resource_type\":\"postgres\","
                + "\"env\":\"development\",\"tier\":\"hobby\",\"status\":\"active\","
                + "\"created_at\":\"2026-11-22T10:00:00Z\",\"expires_at\":null,\"storage_bytes\":0,"
                + "\"storage_exceeded\":false}}"),
        Arguments.of(
            new CredentialsReply(true, "t", "postgres", "postgres://u:p@h/d"),
            "{\"ok\":true,\"token\":\"t\",\"resource_type\":\"postgres\","
                + "\"connection_url\":\"postgres://u:p@h/d\"}"),
        Arguments.of(
            new RotateReply(true, "postgres://u:q@h/d"),
            "{\"ok\":true,\"connection_url\":\"postgres://u:q@h/d\"}"),
        Arguments.of(
            new DeletedReply(true, "Resource deleted"),
            "{\"ok\":true,\"message\":\"Resource deleted\"}"),
        Arguments.of(
            List.of(brief),
            "[{\"id\":\"i\",\"token\":\"t\",\"resource_type\":\"redis\",\"name\":\"c\","
                + "\"tier\":\"anonymous\",\"status\":\"active\",\"created_at\":\"2026-11-22T10:00:00Z\","
                + "\"expires_at\":\"2026-11-23T10:00:00Z\"}]"),
        Arguments.of(
            LegacyClaimReply.of(
                new LegacyResource(
                    "i", "t", "redis", "c", "free", "active", CREATED, Optional.empty())),
            "{\"id\":\"i\",\"token\":\"t\",\"resource_type\":\"redis\",\"name\":\"c\",\"tier\":\"free\","
                + "\"status\":\"active\",\"created_at\":\"2026-11-22T10:00:00Z\",\"expires_at\":null,"
                + "\"ok\":true}"),
        Arguments.of(
            new LegacyDeleteReply(true, "t", "deleted", "Resource deleted"),
            "{\"ok\":true,\"token\":\"t\",\"status\":\"deleted\",\"message\":\"Resource deleted\"}"),
        Arguments.of(
            ClaimPreviewReply.of(List.of(), EXPIRES),
            "{\"ok\":true,\"token_valid\":true,\"items\":[],\"resources\":[],"
                + "\"expires_at\":\"2026-11-23T10:00:00Z\"}"),
        Arguments.of(
            new ClaimReply(true, "team", "user", "session", "ink_k", "Claimed 1 resource(s)."),
            "{\"ok\":true,\"team_id\":\"team\",\"user_id\":\"user\",\"session_token\":\"session\","
                + "\"api_key\":\"ink_k\",\"message\":\"Claimed 1 resource(s).\"}"),
        Arguments.of(
            new MeReply(true, Optional.empty(), "team", Optional.empty(), "pro"),
            "{\"ok\":true,\"user_id\":null,\"team_id\":\"team\",\"email\":null,\"tier\":\"pro\"}"),
        Arguments.of(
            new MeReply(true, Optional.of("user"), "team", Optional.of("a@b.c"), "free"),
            "{\"ok\":true,\"user_id\":\"user\",\"team_id\":\"team\",\"email\":\"a@b.c\","
                + "\"tier\":\"free\"}"),
        Arguments.of(
            new ApiKeyReply(true, "id", "ci", "ink_k", "ink_k", List.of("read", "write"), CREATED),
            "{\"ok\":true,\"id\":\"id\",\"name\":\"ci\",\"key\":\"ink_k\",\"prefix\":\"ink_k\","
                + "\"scopes\":[\"read\",\"write\"],\"created_at\":\"2026-11-22T10:00:00Z\"}"),
        Arguments.of(
            new LegacyTokenReply(true, "ink_k", 7_776_000, EXPIRES),
            "{\"ok\":true,\"token\":\"ink_k\",\"expires_in\":7776000,"
                + "\"expires_at\":\"2026-11-23T10:00:00Z\"}"),
        Arguments.of(
            new PlanChangeReply(true, "team", "free", "pro", 3),
            "{\"ok\":true,\"team_id\":\"team\",\"previous_tier\":\"free\",\"tier\":\"pro\","
                + "\"resources_elevated\":3}"),
        Arguments.of(new CapabilitiesReply(true, List.of()), "{\"ok\":true,\"tiers\":[]}"));
  }

  @ParameterizedTest
  @MethodSource("replies")
  void serialisesAsTheContractSays(Object reply, String json) {
    assertThat(Json.mapper().writeValueAsString(reply)).isEqualTo(json);
  }

  @ParameterizedTest
  @MethodSource("replies")
  void needsNoMapperConfiguration(Object reply, String json) {
    assertThat(JsonMapper.builder().build().writeValueAsString(reply)).isEqualTo(json);
  }
}
