package dev.instanode.provisioner.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.testkit.MutableClock;
import dev.instanode.testkit.TestPostgres;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterPlacementTest {
  @Test
  void spreadsABurstOverClustersAndRecordsTheClusterInTheProviderId() {
    PostgresUrl admin = TestPostgres.adminUrl();
    // Two entries for one server: both read the same count, so placement alternates.
    try (ClusterPlacement placement =
        new ClusterPlacement(
            List.of(CustomerCluster.of(0, admin), CustomerCluster.of(1, admin)),
            400,
            new MutableClock(Instant.parse("2026-11-23T10:00:00Z")))) {
      Map<String, Integer> placed = new HashMap<>();
      for (int i = 0; i < 6; i++) {
        placed.merge(
            ClusterPlacement.providerResourceId(placement.choose()).wire(), 1, Integer::sum);
      }
      assertThat(placed).containsEntry("local:0", 3).containsEntry("local:1", 3);
      assertThat(
              placement
                  .byProviderResourceId(ProviderResourceId.parse("local:1;pooltok:pool-x"))
                  .index())
          .isEqualTo(1);
      assertThat(placement.byProviderResourceId(ProviderResourceId.of("garbage")).index()).isZero();
    }
  }
}
