package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.RegradeResult;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SkipReasonsTest {
  @Test
  void theProvisionersOwnSkipReasonsAreAllowed() {
    assertThat(SkipReasons.isAllowed(RegradeResult.ALREADY_CORRECT)).isTrue();
    assertThat(SkipReasons.isAllowed(RegradeResult.UNSUPPORTED_TYPE)).isTrue();
  }

  @Test
  void everyAllowlistEntryIsAllowedInAnyCaseAndContext() {
    for (String allowed : SkipReasons.ALLOWED) {
      assertThat(SkipReasons.isAllowed(allowed)).isTrue();
      assertThat(SkipReasons.isAllowed("Regrade: " + allowed.toUpperCase() + " (x)")).isTrue();
    }
  }

  @Test
  void knownFailureReasonsAreNotAllowed() {
    for (String reason :
        Set.of(
            "postgres pod missing postgres-admin Secret",
            "redis auth secret not found",
            "namespace instant-customer-x not found",
            "",
            "skipped")) {
      assertThat(SkipReasons.isAllowed(reason)).as(reason).isFalse();
    }
    assertThat(SkipReasons.isAllowed(null)).isFalse();
  }

  @Test
  void bucketsMapKnownReasons() {
    Map<String, SkipReasons.Bucket> cases =
        Map.of(
            "postgres pod missing postgres-admin Secret",
                SkipReasons.Bucket.POSTGRES_ADMIN_SECRET_MISSING,
            "Redis AUTH secret missing", SkipReasons.Bucket.REDIS_AUTH_SECRET_MISSING,
            "namespace instant-customer-abc not found", SkipReasons.Bucket.NAMESPACE_NOT_FOUND,
            "pod postgres-0 does not exist", SkipReasons.Bucket.POD_NOT_FOUND,
            "connection refused by 10.0.0.4", SkipReasons.Bucket.RESOURCE_NOT_REACHABLE,
            "backend unreachable", SkipReasons.Bucket.RESOURCE_NOT_REACHABLE,
            "legacy free-tier pod", SkipReasons.Bucket.LEGACY_RESOURCE,
            "the moon is in the wrong phase", SkipReasons.Bucket.OTHER);
    cases.forEach(
        (reason, bucket) -> assertThat(SkipReasons.bucket(reason)).as(reason).isEqualTo(bucket));
    assertThat(SkipReasons.bucket(null)).isEqualTo(SkipReasons.Bucket.OTHER);
  }

  @Test
  void anyTextLandsInTheFixedSetOfLabels() {
    Set<SkipReasons.Bucket> seen = EnumSet.noneOf(SkipReasons.Bucket.class);
    for (int i = 0; i < 1000; i++) {
      seen.add(SkipReasons.bucket(UUID.randomUUID() + " " + i));
    }
    assertThat(seen).containsExactly(SkipReasons.Bucket.OTHER);
    assertThat(EnumSet.allOf(SkipReasons.Bucket.class))
        .extracting(SkipReasons.Bucket::label)
        .containsExactlyInAnyOrder(
            "postgres_admin_secret_missing",
            "redis_auth_secret_missing",
            "namespace_not_found",
            "pod_not_found",
            "resource_not_reachable",
            "legacy_resource",
            "other");
  }
}
