package dev.instanode.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SkipReasonTest {
  @Test
  void onlyNothingToChangeAndNoRegradeAreExpected() {
    assertThat(EnumSet.allOf(SkipReason.class).stream().filter(SkipReason::expected))
        .containsExactlyInAnyOrder(
            SkipReason.ALREADY_CORRECT,
            SkipReason.UNSUPPORTED_TYPE,
            SkipReason.BACKEND_UNSUPPORTED);
  }

  @Test
  void theProvisionersOwnTextsCodeAsExpected() {
    assertThat(SkipReason.fromText(RegradeResult.ALREADY_CORRECT))
        .isEqualTo(SkipReason.ALREADY_CORRECT);
    assertThat(SkipReason.fromText(RegradeResult.UNSUPPORTED_TYPE))
        .isEqualTo(SkipReason.UNSUPPORTED_TYPE);
    assertThat(SkipReason.fromText("Regrade: BACKEND DOES NOT SUPPORT redis regrade (x)"))
        .isEqualTo(SkipReason.BACKEND_UNSUPPORTED);
  }

  @Test
  void knownFailureTextsAreNeverExpected() {
    for (String reason :
        Set.of(
            "postgres pod missing postgres-admin Secret",
            "redis auth secret not found",
            "namespace instant-customer-x not found",
            "",
            "skipped")) {
      assertThat(SkipReason.fromText(reason).expected()).as(reason).isFalse();
    }
    assertThat(SkipReason.fromText(null)).isEqualTo(SkipReason.OTHER);
  }

  @Test
  void knownTextsMapToTheirCodes() {
    Map<String, SkipReason> cases =
        Map.of(
            "postgres pod missing postgres-admin Secret", SkipReason.POSTGRES_ADMIN_SECRET_MISSING,
            "Redis AUTH secret missing", SkipReason.REDIS_AUTH_SECRET_MISSING,
            "namespace instant-customer-abc not found", SkipReason.NAMESPACE_NOT_FOUND,
            "pod postgres-0 does not exist", SkipReason.POD_NOT_FOUND,
            "connection refused by 10.0.0.4", SkipReason.RESOURCE_NOT_REACHABLE,
            "backend unreachable", SkipReason.RESOURCE_NOT_REACHABLE,
            "legacy free-tier pod", SkipReason.LEGACY_RESOURCE,
            "the moon is in the wrong phase", SkipReason.OTHER);
    cases.forEach((text, code) -> assertThat(SkipReason.fromText(text)).as(text).isEqualTo(code));
  }

  @Test
  void anyTextLandsInTheFixedSetOfLabels() {
    Set<SkipReason> seen = EnumSet.noneOf(SkipReason.class);
    for (int i = 0; i < 1000; i++) {
      seen.add(SkipReason.fromText(UUID.randomUUID() + " " + i));
    }
    assertThat(seen).containsExactly(SkipReason.OTHER);
    assertThat(EnumSet.allOf(SkipReason.class))
        .extracting(SkipReason::label)
        .containsExactlyInAnyOrder(
            "already_correct",
            "unsupported_type",
            "backend_unsupported",
            "postgres_admin_secret_missing",
            "redis_auth_secret_missing",
            "namespace_not_found",
            "pod_not_found",
            "resource_not_reachable",
            "legacy_resource",
            "other");
  }
}
