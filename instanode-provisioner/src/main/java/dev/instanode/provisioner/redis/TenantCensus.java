package dev.instanode.provisioner.redis;

import dev.instanode.core.InfraKey;
import dev.instanode.core.names.AclUserName;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One pass over the shared Redis that measures every tenant at once: a single SCAN of database 0
 * (never one per tenant, which would walk the keyspace once per tenant) that counts each tenant's
 * keys by prefix and samples MEMORY USAGE of some of them, plus CLIENT LIST for connections.
 *
 * <p>Work is bounded: at most {@code maxKeys} keys are visited; a larger keyspace gives an
 * incomplete report whose figures are lower bounds. Memory is estimated as keys × mean sampled
 * size, exact when every key was sampled ({@value #SAMPLE_FIRST} or fewer).
 */
final class TenantCensus {
  static final int SAMPLE_FIRST = 32;
  static final int SAMPLE_EVERY = 64;
  private static final int SCAN_COUNT = 1000;

  private final StatefulRedisConnection<String, String> connection;
  private final Duration commandTimeout;
  private final long maxKeys;

  TenantCensus(
      StatefulRedisConnection<String, String> connection, Duration commandTimeout, long maxKeys) {
    this.connection = connection;
    this.commandTimeout = commandTimeout;
    this.maxKeys = maxKeys;
  }

  private static final class Tally {
    long keys;
    long sampledBytes;
    long samples;
    int connections;

    long estimatedBytes() {
      return samples == 0 ? 0 : Math.round((double) keys * sampledBytes / samples);
    }

    /** Every key was sampled: the figure is a sum, not an estimate. */
    boolean exact() {
      return samples == keys;
    }
  }

  /**
   * @param users every tenant user's key text (the user name without {@code usr_})
   * @param blocked those whose writes are stopped
   */
  UsageReport take(Set<String> users, Set<String> blocked, boolean underPressure) {
    Map<String, Tally> tallies = new HashMap<>();
    users.forEach(u -> tallies.put(u, new Tally()));
    boolean complete = scan(tallies);
    countConnections(tallies);
    List<TenantUsage> tenants = new ArrayList<>();
    // A usr_ user whose suffix is no key of ours is nobody's tenant: it is not reported.
    tallies.forEach((naming, t) ->
        InfraKey.parse(naming)
            .ifPresent(key ->
                tenants.add(
                    new TenantUsage(
                        key,
                        t.estimatedBytes(),
                        t.exact(),
                        t.keys,
                        t.connections,
                        blocked.contains(naming)))));
    return new UsageReport(tenants, complete, underPressure);
  }

  private boolean scan(Map<String, Tally> tallies) {
    ScanArgs args = ScanArgs.Builder.limit(SCAN_COUNT);
    ScanCursor cursor = ScanCursor.INITIAL;
    long visited = 0;
    do {
      KeyScanCursor<String> page = connection.sync().scan(cursor, args);
      List<RedisFuture<Long>> sizes = new ArrayList<>();
      List<Tally> sampled = new ArrayList<>();
      for (String key : page.getKeys()) {
        int colon = key.indexOf(':');
        Tally t = colon > 0 ? tallies.get(key.substring(0, colon)) : null;
        if (t == null) {
          continue;
        }
        t.keys++;
        if (t.keys <= SAMPLE_FIRST || t.keys % SAMPLE_EVERY == 0) {
          sizes.add(connection.async().memoryUsage(key));
          sampled.add(t);
        }
      }
      for (int i = 0; i < sizes.size(); i++) {
        Long bytes =
            LettuceFutures.awaitOrCancel(
                sizes.get(i), commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
        // null: the key went between SCAN and MEMORY USAGE.
        if (bytes != null) {
          sampled.get(i).sampledBytes += bytes;
          sampled.get(i).samples++;
        }
      }
      visited += page.getKeys().size();
      cursor = page;
    } while (!cursor.isFinished() && visited < maxKeys);
    return cursor.isFinished();
  }

  private void countConnections(Map<String, Tally> tallies) {
    for (String line : connection.sync().clientList().split("\n")) {
      // A binding's connections are the tenant's: they count against its one cap.
      BindingLogin.tenantOf(ClientList.field(line, "user"), AclUserName.PREFIX)
          .map(tallies::get)
          .ifPresent(t -> t.connections++);
    }
  }
}
