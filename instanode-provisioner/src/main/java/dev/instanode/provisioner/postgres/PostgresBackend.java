package dev.instanode.provisioner.postgres;

import dev.instanode.core.InfraKey;
import dev.instanode.core.Plans;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.Secrets;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.DatabaseName;
import dev.instanode.core.names.InfraName;
import dev.instanode.core.names.RoleName;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.TenantUsage;
import dev.instanode.provisioner.UsageReport;
import dev.instanode.provisioner.engine.CreationStamp;
import dev.instanode.provisioner.engine.PartialProvisionException;
import dev.instanode.provisioner.engine.ResourceBackend;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postgres on shared customer clusters: one database {@code db_<token>} owned by one role {@code
 * usr_<token>}, whose CONNECTION LIMIT comes from plans. Nobody else may connect to the database.
 */
public final class PostgresBackend implements ResourceBackend {
  static final String STEP_CREATE_ROLE = "create_role";
  static final String STEP_CREATE_DATABASE = "create_database";
  static final String STEP_REVOKE_PUBLIC = "revoke_public_connect";
  static final String STEP_ALLOW_CONNECTIONS = "allow_connections";
  static final String STEP_DROP_CLOSE = "drop.close";
  static final String STEP_DROP_DATABASE = "drop.database";
  static final String STEP_DROP_ROLE = "drop.role";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresBackend.class);

  /** How late past a bound the runaway watch acts, beyond its own check interval. */
  static final Duration RUNAWAY_GRACE = Duration.ofSeconds(2);

  private static final int DB_PREFIX = DatabaseName.PREFIX.length();
  private static final int ROLE_PREFIX = RoleName.PREFIX.length();
  private static final String LOCK_NOT_AVAILABLE = "55P03";
  private static final String OBJECT_IN_USE = "55006";
  private static final String UNDEFINED_OBJECT = "42704";
  private static final int PASSWORD_LENGTH = 24;

  private final ClusterPlacement placement;
  private final Plans plans;
  private final ProvisionStepHook hook;
  private final RunawayWatch runaway;
  private final Clock clock;

  public PostgresBackend(ClusterPlacement placement, Plans plans, ProvisionStepHook hook) {
    this(placement, plans, hook, RUNAWAY_GRACE, Clock.systemUTC());
  }

  PostgresBackend(
      ClusterPlacement placement,
      Plans plans,
      ProvisionStepHook hook,
      Duration runawayGrace,
      Clock clock) {
    this.placement = placement;
    this.clock = clock;
    this.plans = plans;
    this.hook = hook;
    this.runaway = new RunawayWatch(runawayGrace);
  }

  @Override
  public ResourceType type() {
    return ResourceType.POSTGRES;
  }

  @Override
  public String backendLabel() {
    return "shared";
  }

  @Override
  public ProvisionResult provision(InfraKey key, Tier tier, RequestId requestId) {
    CustomerCluster cluster = placement.choose();
    ProviderResourceId prid = ClusterPlacement.providerResourceId(cluster);
    String database = DatabaseName.of(key).value();
    String role = RoleName.of(key).value();
    String password = Secrets.alphanumeric(PASSWORD_LENGTH);
    long limit = plans.connectionsLimit(tier, ResourceType.POSTGRES);
    try (Connection c = cluster.connect();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE ROLE "
              + Identifiers.quote(role)
              + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
              + " CONNECTION LIMIT "
              + limit
              + " PASSWORD "
              + Identifiers.passwordLiteral(password));
      // Right after each CREATE: a crash between the two leaves an object of unknown age, which
      // a sweep skips, never one that looks old.
      s.execute(
          "COMMENT ON ROLE "
              + Identifiers.quote(role)
              + " IS "
              + CreationStamp.sqlLiteral(clock.instant()));
      settings(tier).apply(s, role);
      hook.afterStep(STEP_CREATE_ROLE, key);
      // A new database grants CONNECT and TEMP to PUBLIC. It is born closed to everyone, and
      // opens only once PUBLIC's rights are gone, so no crash in between leaves it open to other
      // tenants. The owner keeps its own rights.
      s.execute(
          "CREATE DATABASE "
              + Identifiers.quote(database)
              + " OWNER "
              + Identifiers.quote(role)
              + " ALLOW_CONNECTIONS false");
      s.execute(
          "COMMENT ON DATABASE "
              + Identifiers.quote(database)
              + " IS "
              + CreationStamp.sqlLiteral(clock.instant()));
      hook.afterStep(STEP_CREATE_DATABASE, key);
      s.execute("REVOKE ALL ON DATABASE " + Identifiers.quote(database) + " FROM PUBLIC");
      hook.afterStep(STEP_REVOKE_PUBLIC, key);
      s.execute("ALTER DATABASE " + Identifiers.quote(database) + " ALLOW_CONNECTIONS true");
      hook.afterStep(STEP_ALLOW_CONNECTIONS, key);
    } catch (SQLException e) {
      ProvisionerException failure = ProvisionerException.fromSql("provision", e);
      if (failure.kind() == ProvisionerException.Kind.ALREADY_EXISTS) {
        // The names belong to a resource that already exists: a rollback would drop it.
        throw failure;
      }
      throw new PartialProvisionException(prid, failure);
    } catch (RuntimeException e) {
      throw new PartialProvisionException(
          prid,
          new ProvisionerException(ProvisionerException.Kind.INTERNAL, "provision failed", e));
    }
    String url = cluster.customerUrl(DatabaseName.of(key), RoleName.of(key), password).toUri();
    return new ProvisionResult(url, prid, Optional.empty(), limit);
  }

  /**
   * Every {@code db_*} database and {@code usr_*} role of every cluster whose name carries a key of
   * ours, grouped by key; the age is the oldest stamp among them (a database without its own stamp
   * is aged by its role's, made just before it).
   */
  @Override
  public List<InventoryItem> inventory() {
    Map<InfraKey, Integer> objects = new HashMap<>();
    Map<InfraKey, Instant> oldest = new HashMap<>();
    for (CustomerCluster cluster : placement.clusters()) {
      try (Connection c = cluster.connect();
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT datname AS name, shobj_description(oid, 'pg_database') AS stamp"
                      + " FROM pg_database WHERE datname LIKE 'db\\_%'"
                      + " UNION ALL SELECT rolname, shobj_description(oid, 'pg_authid')"
                      + " FROM pg_roles WHERE rolname LIKE 'usr\\_%'")) {
        while (rs.next()) {
          Optional<InfraKey> key = keyOf(rs.getString("name"));
          if (key.isEmpty()) {
            continue;
          }
          objects.merge(key.get(), 1, Integer::sum);
          CreationStamp.parse(rs.getString("stamp"))
              .ifPresent(at -> oldest.merge(key.get(), at, (a, b) -> a.isBefore(b) ? a : b));
        }
      } catch (SQLException e) {
        throw ProvisionerException.fromSql("inventory", e);
      }
    }
    List<InventoryItem> items = new ArrayList<>();
    objects.forEach((key, n) ->
        items.add(new InventoryItem(key, n, Optional.ofNullable(oldest.get(key)), false)));
    return items;
  }

  /** The key a {@code db_}/{@code usr_} name (or a write-freeze keeper role) was made from. */
  static Optional<InfraKey> keyOf(String name) {
    String rest;
    if (name.startsWith(DatabaseName.PREFIX)) {
      rest = name.substring(DatabaseName.PREFIX.length());
    } else if (name.startsWith(RoleName.PREFIX)) {
      rest = name.substring(RoleName.PREFIX.length());
      if (rest.endsWith(WriteFreeze.KEEPER_SUFFIX)) {
        rest = rest.substring(0, rest.length() - WriteFreeze.KEEPER_SUFFIX.length());
      }
    } else {
      return Optional.empty();
    }
    return InfraKey.parse(rest);
  }

  @Override
  public List<InfraName> objectNames(InfraKey key) {
    RoleName role = RoleName.of(key);
    return List.of(DatabaseName.of(key), role, new RoleName(WriteFreeze.keeperOf(role.value())));
  }

  /**
   * NOLOGIN, REVOKE CONNECT, end sessions, drop the database (FORCE), then the role; all
   * idempotent. A resource whose placement was never recorded (a crash before its provision
   * returned) may live on any cluster, so it is dropped from each.
   */
  @Override
  public void drop(InfraKey key, ProviderResourceId providerResourceId) {
    String database = DatabaseName.of(key).value();
    String role = RoleName.of(key).value();
    for (CustomerCluster cluster : placement.clustersHolding(providerResourceId)) {
      try (Connection c = cluster.connect();
          Statement s = c.createStatement()) {
        if (exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", role)) {
          s.execute("ALTER ROLE " + Identifiers.quote(role) + " NOLOGIN");
        }
        if (exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
          s.execute("REVOKE CONNECT ON DATABASE " + Identifiers.quote(database) + " FROM PUBLIC");
        }
        terminateSessions(c, database, role);
        hook.afterStep(STEP_DROP_CLOSE, key);
        dropDatabase(s, database);
        hook.afterStep(STEP_DROP_DATABASE, key);
        // The keeper of a database dropped while frozen owned nothing outside it.
        s.execute("DROP ROLE IF EXISTS " + Identifiers.quote(WriteFreeze.keeperOf(role)));
        s.execute("DROP ROLE IF EXISTS " + Identifiers.quote(role));
        hook.afterStep(STEP_DROP_ROLE, key);
      } catch (SQLException e) {
        throw ProvisionerException.fromSql("deprovision", e);
      }
    }
  }

  private static void terminateSessions(Connection c, String database, String role)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE (datname = ? OR usename = ?) AND pid <> pg_backend_pid()")) {
      ps.setString(1, database);
      ps.setString(2, role);
      ps.executeQuery().close();
    }
  }

  // A session can slip in between terminate and drop; FORCE plus a short retry covers it.
  private static void dropDatabase(Statement s, String database) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        s.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(database) + " WITH (FORCE)");
        return;
      } catch (SQLException e) {
        if (!OBJECT_IN_USE.equals(e.getSQLState()) || attempt == 3) {
          throw e;
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  @Override
  public OptionalLong connectionLimit(Tier tier) {
    return OptionalLong.of(plans.connectionsLimit(tier, ResourceType.POSTGRES));
  }

  /**
   * The tier's connection cap and role settings. Skipped ("already correct") when the role has
   * exactly them; otherwise all are applied, so a role made before a setting existed catches up.
   */
  @Override
  public RegradeResult regrade(InfraKey key, ProviderResourceId providerResourceId, Tier tier) {
    CustomerCluster cluster = placement.byProviderResourceId(providerResourceId);
    String role = RoleName.of(key).value();
    long target = plans.connectionsLimit(tier, ResourceType.POSTGRES);
    TenantRoleSettings wanted = settings(tier);
    try (Connection c = cluster.connect()) {
      // The bindings are held to the same cap and settings: a regrade that stopped part-way is
      // not taken for done while one of them still has the old ones.
      List<String> roles = new ArrayList<>(List.of(role));
      BindingRoles.of(c, key).forEach(b -> roles.add(b.value()));
      boolean correct = true;
      for (String r : roles) {
        Optional<BindingRoles.Owner> now = BindingRoles.ownerOf(c, r);
        if (now.isEmpty() && r.equals(role)) {
          throw new ProvisionerException(
              ProvisionerException.Kind.INVALID_ARGUMENT, "role does not exist", null);
        }
        correct &=
            now.isEmpty()
                || (now.get().connectionLimit() == target && wanted.matches(now.get().settings()));
      }
      if (correct) {
        return RegradeResult.skipped(
            target, SkipReason.ALREADY_CORRECT, RegradeResult.ALREADY_CORRECT);
      }
      try (Statement s = c.createStatement()) {
        for (String r : roles) {
          s.execute("ALTER ROLE " + Identifiers.quote(r) + " CONNECTION LIMIT " + target);
          wanted.apply(s, r);
        }
      }
      return RegradeResult.applied(target);
    } catch (SQLException e) {
      throw ProvisionerException.fromSql("regrade", e);
    }
  }

  @Override
  public Optional<String> grade(Tier tier) {
    return Optional.of(plans.of(tier).postgres().toString());
  }

  private TenantRoleSettings settings(Tier tier) {
    return TenantRoleSettings.of(plans.of(tier).postgres());
  }

  /**
   * ALTER ROLE with a new password, then terminates the role's sessions: Postgres checks a password
   * only when a session starts, so without the terminate a leaked old URL keeps its open sessions.
   */
  @Override
  public String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId) {
    CustomerCluster cluster = placement.byProviderResourceId(providerResourceId);
    String role = RoleName.of(key).value();
    String quotedRole = quoteCallerName(role);
    String password = Secrets.alphanumeric(PASSWORD_LENGTH);
    try (Connection c = cluster.connect();
        Statement s = c.createStatement()) {
      // ALTER ROLE on a missing role fails rather than creating it, so no existence pre-check
      // (and no race with a concurrent drop) is needed.
      s.execute("ALTER ROLE " + quotedRole + " PASSWORD " + Identifiers.passwordLiteral(password));
      RoleSql.terminateSessions(c, role);
    } catch (SQLException e) {
      if (UNDEFINED_OBJECT.equals(e.getSQLState())) {
        throw new ProvisionerException(
            ProvisionerException.Kind.INVALID_ARGUMENT, "role does not exist", e);
      }
      throw ProvisionerException.fromSql("rotate_credentials", e);
    }
    return cluster.customerUrl(DatabaseName.of(key), RoleName.of(key), password).toUri();
  }

  /**
   * A role of the binding's own in the resource's role ({@link BindingRoles}), with the owner's cap
   * and settings. Bound again, it gets a new password and its sessions end, as a rotation's do.
   */
  @Override
  public String createBinding(
      InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    CustomerCluster cluster = placement.byProviderResourceId(providerResourceId);
    BindingLogin login = BindingLogin.of(key, binding);
    String password = Secrets.alphanumeric(PASSWORD_LENGTH);
    try (Connection c = cluster.connect()) {
      BindingRoles.create(c, key, login, password, clock.instant());
      // Postgres checks a password only as a session starts: a retried bind's old one must end.
      RoleSql.terminateSessions(c, login.value());
    } catch (SQLException e) {
      if (BindingRoles.isUndefinedObject(e)) {
        throw new ProvisionerException(
            ProvisionerException.Kind.INVALID_ARGUMENT, "role does not exist", e);
      }
      throw ProvisionerException.fromSql("create_binding", e);
    }
    return cluster.customerUrl(DatabaseName.of(key), login, password).toUri();
  }

  /** Idempotent; wherever the resource may be, like its own drop. */
  @Override
  public void dropBinding(InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    BindingLogin login = BindingLogin.of(key, binding);
    for (CustomerCluster cluster : placement.clustersHolding(providerResourceId)) {
      try (Connection c = cluster.connect()) {
        BindingRoles.drop(cluster, c, key, login);
      } catch (SQLException e) {
        throw ProvisionerException.fromSql("drop_binding", e);
      }
    }
  }

  @Override
  public List<BindingLogin> bindingLogins(InfraKey key, ProviderResourceId providerResourceId) {
    List<BindingLogin> found = new ArrayList<>();
    for (CustomerCluster cluster : placement.clustersHolding(providerResourceId)) {
      try (Connection c = cluster.connect()) {
        found.addAll(BindingRoles.of(c, key));
      } catch (SQLException e) {
        throw ProvisionerException.fromSql("binding_logins", e);
      }
    }
    return found;
  }

  // The pool token arrives inside provider_resource_id, which callers send over the wire.
  private static String quoteCallerName(String name) {
    try {
      return Identifiers.quote(name);
    } catch (IllegalArgumentException e) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT, "naming token is not a valid name", null);
    }
  }

  /**
   * One query per cluster for sizes, one for sessions and one for frozen keepers. A cluster that
   * does not answer makes the report incomplete; the others' figures stand.
   */
  @Override
  public UsageReport usage() {
    Map<String, long[]> sizes = new HashMap<>();
    Map<String, Integer> sessions = new HashMap<>();
    Set<String> frozen = new HashSet<>();
    boolean complete = true;
    for (CustomerCluster cluster : placement.clusters()) {
      try (Connection c = cluster.connect();
          Statement s = c.createStatement()) {
        // An empty database is several MB of catalog (a copy of template0): that is not the
        // tenant's, so only what it added is counted.
        try (ResultSet rs =
            s.executeQuery(
                "SELECT datname, GREATEST(0, pg_database_size(oid)"
                    + " - pg_database_size('template0')) FROM pg_database"
                    + " WHERE datname LIKE 'db\\_%' AND datallowconn")) {
          while (rs.next()) {
            sizes.put(rs.getString(1).substring(DB_PREFIX), new long[] {rs.getLong(2)});
          }
        }
        try (ResultSet rs =
            s.executeQuery(
                "SELECT usename, count(*) FROM pg_stat_activity"
                    + " WHERE (usename LIKE 'usr\\_%' OR usename LIKE 'bnd\\_%')"
                    + " AND backend_type = 'client backend' GROUP BY usename")) {
          // A binding's sessions are the resource's: they count against its one cap.
          while (rs.next()) {
            int count = rs.getInt(2);
            BindingLogin.tenantOf(rs.getString(1), RoleName.PREFIX)
                .ifPresent(naming -> sessions.merge(naming, count, Integer::sum));
          }
        }
        try (ResultSet rs =
            s.executeQuery(
                "SELECT rolname FROM pg_roles WHERE rolname LIKE 'usr\\_%"
                    + WriteFreeze.KEEPER_SUFFIX.replace("_", "\\_")
                    + "'")) {
          while (rs.next()) {
            String keeper = rs.getString(1);
            frozen.add(
                keeper.substring(
                    ROLE_PREFIX, keeper.length() - WriteFreeze.KEEPER_SUFFIX.length()));
          }
        }
      } catch (SQLException e) {
        complete = false;
        LOG.warn(
            "provisioner.usage_cluster_failed cluster={} reason={}",
            cluster.index(),
            e.getMessage());
      }
    }
    List<TenantUsage> tenants = new ArrayList<>();
    // A db_ database whose suffix is no key of ours is nobody's tenant: it is not reported.
    sizes.forEach((naming, size) ->
        InfraKey.parse(naming)
            .ifPresent(key ->
                tenants.add(
                    new TenantUsage(
                        key,
                        size[0],
                        true,
                        -1,
                        sessions.getOrDefault(naming, 0),
                        frozen.contains(naming)))));
    return new UsageReport(tenants, complete, false);
  }

  /**
   * Freezes or thaws the tenant's database ({@link WriteFreeze}) on its cluster. A tenant session
   * holding a lock the change needs is ended, once, and the change tried again.
   */
  @Override
  public boolean setWritesBlocked(
      InfraKey key, ProviderResourceId providerResourceId, boolean blocked) {
    CustomerCluster cluster = placement.byProviderResourceId(providerResourceId);
    String role = RoleName.of(key).value();
    String database = DatabaseName.of(key).value();
    try {
      try (Connection admin = cluster.connect()) {
        if (exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", WriteFreeze.keeperOf(role))
            == blocked) {
          return false;
        }
        if (!exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
          throw new ProvisionerException(
              ProvisionerException.Kind.INVALID_ARGUMENT, "database does not exist", null);
        }
      }
      for (int attempt = 1; ; attempt++) {
        try (Connection c = cluster.connectTo(DatabaseName.of(key))) {
          if (blocked) {
            WriteFreeze.freeze(c, role);
          } else {
            WriteFreeze.thaw(c, role);
          }
          return true;
        } catch (SQLException e) {
          if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || attempt == 2) {
            throw e;
          }
          try (Connection admin = cluster.connect()) {
            RoleSql.terminateSessions(admin, role);
            for (BindingLogin b : BindingRoles.of(admin, key)) {
              RoleSql.terminateSessions(admin, b.value());
            }
          }
        }
      }
    } catch (SQLException e) {
      throw ProvisionerException.fromSql("set_writes_blocked", e);
    }
  }

  /** A database never loses data to make room: its writes stop, and that is all. */
  @Override
  public long shedDownTo(InfraKey key, ProviderResourceId providerResourceId, long keepBytes) {
    return 0;
  }

  /** Ends the role's newest sessions beyond {@code cap}; Postgres refuses new ones on its own. */
  @Override
  public int closeConnectionsOver(InfraKey key, ProviderResourceId providerResourceId, long cap) {
    if (cap < 0) {
      return 0;
    }
    CustomerCluster cluster = placement.byProviderResourceId(providerResourceId);
    try (Connection c = cluster.connect()) {
      return closeNewest(c, key, cap);
    } catch (SQLException e) {
      throw ProvisionerException.fromSql("close_connections", e);
    }
  }

  /** The resource's own sessions and its bindings' together are held to the one cap. */
  private static int closeNewest(Connection c, InfraKey key, long cap) throws SQLException {
    String role = RoleName.of(key).value();
    List<Integer> pids = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pid, usename FROM pg_stat_activity WHERE backend_type = 'client backend'"
                + " AND (usename = ? OR starts_with(usename::text, ?))"
                + " ORDER BY backend_start DESC, pid DESC")) {
      ps.setString(1, role);
      ps.setString(2, BindingLogin.namePrefix(key));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (BindingLogin.actsFor(rs.getString(2), key, role)) {
            pids.add(rs.getInt(1));
          }
        }
      }
    }
    int closed = 0;
    for (int pid : pids.subList(0, (int) Math.max(0, pids.size() - cap))) {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
        ps.setInt(1, pid);
        try (ResultSet rs = ps.executeQuery()) {
          closed += rs.next() && rs.getBoolean(1) ? 1 : 0;
        }
      }
    }
    return closed;
  }

  /** Every cluster; one that does not answer is skipped (its work is ended next pass). */
  @Override
  public RunawayResult stopRunawayWork(
      Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise) {
    int cancelled = 0;
    int ended = 0;
    for (CustomerCluster cluster : placement.clusters()) {
      try (Connection c = cluster.connect()) {
        RunawayResult r = runaway.stop(c, bounds, otherwise);
        cancelled += r.statementsCancelled();
        ended += r.sessionsEnded();
      } catch (SQLException e) {
        LOG.warn(
            "provisioner.runaway_cluster_failed cluster={} reason={}",
            cluster.index(),
            e.getMessage());
      }
    }
    return new RunawayResult(cancelled, ended);
  }

  @Override
  public long storageBytes(InfraKey key, ProviderResourceId providerResourceId) {
    CustomerCluster cluster = placement.byProviderResourceId(providerResourceId);
    try (Connection c = cluster.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pg_database_size(datname) FROM pg_database WHERE datname = ?")) {
      ps.setString(1, DatabaseName.of(key).value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    } catch (SQLException e) {
      throw ProvisionerException.fromSql("storage_bytes", e);
    }
  }

  private static boolean exists(Connection c, String sql, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
