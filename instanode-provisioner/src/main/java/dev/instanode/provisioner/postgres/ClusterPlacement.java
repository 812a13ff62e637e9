package dev.instanode.provisioner.postgres;

import dev.instanode.core.PostgresUrl;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer clusters and where each resource lives. {@code provider_resource_id} records the
 * cluster as {@code local:<index>}, so every later call reaches the same cluster.
 */
public final class ClusterPlacement implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterPlacement.class);
  private static final String PREFIX = "local:";

  private final List<CustomerCluster> clusters;

  public ClusterPlacement(List<CustomerCluster> clusters) {
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException("at least one customer cluster is required");
    }
    this.clusters = List.copyOf(clusters);
  }

  public static ClusterPlacement of(List<PostgresUrl> adminUrls) {
    return new ClusterPlacement(
        java.util.stream.IntStream.range(0, adminUrls.size())
            .mapToObj(i -> CustomerCluster.of(i, adminUrls.get(i)))
            .toList());
  }

  public CustomerCluster choose() {
    return clusters.getFirst();
  }

  public List<CustomerCluster> clusters() {
    return clusters;
  }

  public static String providerResourceId(CustomerCluster cluster) {
    return PREFIX + cluster.index();
  }

  /** An unknown or empty id falls back to cluster 0, where single-cluster installs put it. */
  public CustomerCluster byProviderResourceId(String providerResourceId) {
    for (String part : providerResourceId.split(";")) {
      if (part.startsWith(PREFIX)) {
        try {
          int index = Integer.parseInt(part.substring(PREFIX.length()));
          if (index >= 0 && index < clusters.size()) {
            return clusters.get(index);
          }
        } catch (NumberFormatException e) {
          // fall through to cluster 0
        }
      }
    }
    return clusters.getFirst();
  }

  /**
   * Makes every non-customer database on each cluster (postgres, template1, a platform database
   * sharing the cluster) refuse tenant connections. A new database grants CONNECT to PUBLIC, so
   * without this a tenant could open {@code postgres}. Best effort per cluster: a cluster that is
   * down is hardened on the next start.
   */
  public void hardenClusters() {
    for (CustomerCluster cluster : clusters) {
      try (Connection c = cluster.connect();
          Statement s = c.createStatement()) {
        s.execute(
            """
            DO $$
            DECLARE d text;
            BEGIN
              FOR d IN SELECT datname FROM pg_database
                       WHERE datallowconn AND datname NOT LIKE 'db\\_%'
              LOOP
                EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', d);
              END LOOP;
            END $$
            """);
      } catch (SQLException e) {
        LOG.warn(
            "provisioner.cluster_hardening_skipped cluster={} reason={}",
            cluster.index(),
            e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    clusters.forEach(CustomerCluster::close);
  }
}
