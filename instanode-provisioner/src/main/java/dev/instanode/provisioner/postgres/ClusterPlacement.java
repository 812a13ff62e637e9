package dev.instanode.provisioner.postgres;

import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer clusters and where each resource lives. {@code provider_resource_id} records the
 * cluster as {@code local:<index>}, so every later call reaches the same cluster.
 */
public final class ClusterPlacement implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterPlacement.class);
  private static final String PREFIX = "local:";

  public static final long DEFAULT_CAPACITY = 400;
  private static final Duration LOAD_TTL = Duration.ofSeconds(60);

  private final List<CustomerCluster> clusters;
  private final long capacity;
  private final Clock clock;
  private List<OptionalLong> counted = List.of();
  private long[] placedSinceCount = new long[0];
  private Instant countedAt = Instant.MIN;

  public ClusterPlacement(List<CustomerCluster> clusters, long capacity, Clock clock) {
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException("at least one customer cluster is required");
    }
    this.clusters = List.copyOf(clusters);
    this.capacity = capacity;
    this.clock = clock;
  }

  public static ClusterPlacement of(List<PostgresUrl> adminUrls) {
    return new ClusterPlacement(
        IntStream.range(0, adminUrls.size())
            .mapToObj(i -> CustomerCluster.of(i, adminUrls.get(i)))
            .toList(),
        DEFAULT_CAPACITY,
        Clock.systemUTC());
  }

  /**
   * The cluster with the most headroom. Counts are read at most once a minute; placements since the
   * last count are added so a burst does not pile onto one cluster.
   */
  public synchronized CustomerCluster choose() {
    if (clusters.size() == 1) {
      return clusters.getFirst();
    }
    if (clock.instant().isAfter(countedAt.plus(LOAD_TTL))) {
      counted = clusters.stream().map(ClusterPlacement::countCustomerDatabases).toList();
      placedSinceCount = new long[clusters.size()];
      countedAt = clock.instant();
    }
    List<OptionalLong> load = new ArrayList<>();
    for (int i = 0; i < clusters.size(); i++) {
      int index = i;
      load.add(
          counted.get(i).isPresent()
              ? OptionalLong.of(counted.get(i).getAsLong() + placedSinceCount[index])
              : OptionalLong.empty());
    }
    int chosen = Headroom.choose(load, capacity);
    placedSinceCount[chosen]++;
    return clusters.get(chosen);
  }

  private static OptionalLong countCustomerDatabases(CustomerCluster cluster) {
    try (Connection c = cluster.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE 'db\\_%'")) {
      rs.next();
      return OptionalLong.of(rs.getLong(1));
    } catch (SQLException e) {
      LOG.warn(
          "provisioner.cluster_count_failed cluster={} reason={}", cluster.index(), e.getMessage());
      return OptionalLong.empty();
    }
  }

  public List<CustomerCluster> clusters() {
    return clusters;
  }

  public static ProviderResourceId providerResourceId(CustomerCluster cluster) {
    return ProviderResourceId.of(PREFIX + cluster.index());
  }

  /** An unknown or empty id falls back to cluster 0, where single-cluster installs put it. */
  public CustomerCluster byProviderResourceId(ProviderResourceId providerResourceId) {
    return named(providerResourceId).orElse(clusters.getFirst());
  }

  /**
   * Where a resource may live: the cluster its id names, or every cluster when it names none (its
   * placement was never recorded). For drops, which must miss nothing and are idempotent.
   */
  public List<CustomerCluster> clustersHolding(ProviderResourceId providerResourceId) {
    return named(providerResourceId).map(List::of).orElse(clusters);
  }

  private Optional<CustomerCluster> named(ProviderResourceId providerResourceId) {
    for (String part : providerResourceId.backendRef().split(";")) {
      if (part.startsWith(PREFIX)) {
        try {
          int index = Integer.parseInt(part.substring(PREFIX.length()));
          if (index >= 0 && index < clusters.size()) {
            return Optional.of(clusters.get(index));
          }
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Takes PUBLIC's CONNECT and TEMP from every database on each cluster: the non-customer ones
   * (postgres, template1, a platform database sharing the cluster), which a new database would
   * otherwise let any tenant open, and the customer ones, in case a crash of an older version left
   * one open between CREATE DATABASE and its REVOKE. Owners keep their own rights. Best effort per
   * cluster: a cluster that is down is hardened on the next start.
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
              FOR d IN SELECT datname FROM pg_database WHERE datname <> 'template0'
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
