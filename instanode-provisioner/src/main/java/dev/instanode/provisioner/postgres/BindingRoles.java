package dev.instanode.provisioner.postgres;

import dev.instanode.core.InfraKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.DatabaseName;
import dev.instanode.core.names.RoleName;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.engine.CreationStamp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A binding's login on a resource's cluster: a role {@code bnd_<key>_<binding>} that is a member of
 * the resource's role {@code usr_<key>} (INHERIT, so it has the owner's rights as it connects; SET,
 * so it can act as the owner) and starts every session as that role ({@code ALTER ROLE … SET
 * role}), so what it creates is the resource's, usable by the owner and every other binding, and
 * never lost with the binding. It has the owner's connection cap and managed settings, copied when
 * it is made (and again by every regrade).
 */
final class BindingRoles {
  private static final String UNDEFINED_OBJECT = "42704";

  private BindingRoles() {}

  /** The owner's cap and managed settings, as a binding copies them. */
  record Owner(long connectionLimit, Map<String, String> settings) {}

  /**
   * Makes the login, or renews the password of one made before; one transaction, so a missing owner
   * (or one dropped meanwhile, which the GRANT then finds missing) leaves nothing behind.
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when {@code usr_<key>} does not exist
   */
  static void create(Connection c, InfraKey key, BindingLogin login, String password, Instant now)
      throws SQLException {
    String owner = RoleName.of(key).value();
    RoleSql.inTransaction(
        c,
        s -> {
          Owner settings =
              ownerOf(c, owner)
                  .orElseThrow(() ->
                      new ProvisionerException(
                          ProvisionerException.Kind.INVALID_ARGUMENT, "role does not exist", null));
          String quoted = Identifiers.quote(login.value());
          if (roleExists(c, login.value())) {
            s.execute(
                "ALTER ROLE " + quoted + " PASSWORD " + Identifiers.passwordLiteral(password));
          } else {
            s.execute(
                "CREATE ROLE "
                    + quoted
                    + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
                    + " PASSWORD "
                    + Identifiers.passwordLiteral(password));
            s.execute("COMMENT ON ROLE " + quoted + " IS " + CreationStamp.sqlLiteral(now));
          }
          s.execute(
              "GRANT "
                  + Identifiers.quote(owner)
                  + " TO "
                  + quoted
                  + " WITH INHERIT TRUE, SET TRUE");
          s.execute("ALTER ROLE " + quoted + " SET role = " + Identifiers.literal(owner));
          copyLimits(s, login.value(), settings);
        });
  }

  /** The owner's cap and managed settings onto a binding's role (made, renewed or regraded). */
  static void copyLimits(Statement s, String login, Owner owner) throws SQLException {
    s.execute(
        "ALTER ROLE " + Identifiers.quote(login) + " CONNECTION LIMIT " + owner.connectionLimit());
    TenantRoleSettings.copyOf(owner.settings()).apply(s, login);
  }

  /** The owner role's cap and stored settings; empty when it does not exist. */
  static Optional<Owner> ownerOf(Connection c, String owner) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT r.rolconnlimit, s.setconfig FROM pg_roles r LEFT JOIN"
                + " pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0"
                + " WHERE r.rolname = ?")) {
      ps.setString(1, owner);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(
                new Owner(rs.getLong(1), TenantRoleSettings.parse(rs.getArray("setconfig"))))
            : Optional.empty();
      }
    }
  }

  /**
   * NOLOGIN, end its sessions, hand what it owns in the resource's database to the resource (or,
   * while frozen, to the freeze's keeper, so the freeze holds), drop its grants there, drop the
   * role. Every step is a no-op when there is nothing left to do.
   */
  static void drop(CustomerCluster cluster, Connection admin, InfraKey key, BindingLogin login)
      throws SQLException {
    String role = login.value();
    if (!roleExists(admin, role)) {
      return;
    }
    try (Statement s = admin.createStatement()) {
      s.execute("ALTER ROLE " + Identifiers.quote(role) + " NOLOGIN");
      RoleSql.terminateSessions(admin, role);
      DatabaseName database = DatabaseName.of(key);
      if (databaseExists(admin, database.value())) {
        String heir = heirOf(admin, RoleName.of(key).value());
        try (Connection db = cluster.connectTo(database);
            Statement inDb = db.createStatement()) {
          inDb.execute(
              "REASSIGN OWNED BY " + Identifiers.quote(role) + " TO " + Identifiers.quote(heir));
          inDb.execute("DROP OWNED BY " + Identifiers.quote(role));
        }
      }
      s.execute("DROP ROLE IF EXISTS " + Identifiers.quote(role));
    }
  }

  // While frozen the keeper owns the tenant's objects; a binding's must join them, not the tenant.
  private static String heirOf(Connection c, String owner) throws SQLException {
    String keeper = WriteFreeze.keeperOf(owner);
    return roleExists(c, keeper) ? keeper : owner;
  }

  /** Every binding login of {@code key} on this cluster, by the name the role carries. */
  static List<BindingLogin> of(Connection c, InfraKey key) throws SQLException {
    List<BindingLogin> found = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT rolname FROM pg_roles WHERE starts_with(rolname, ?)")) {
      ps.setString(1, BindingLogin.namePrefix(key));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          // Exactly this key's: a longer pool token sharing the prefix is another resource's.
          if (BindingLogin.keyOf(name).filter(key::equals).isPresent()) {
            found.add(new BindingLogin(name));
          }
        }
      }
    }
    return found;
  }

  static boolean isUndefinedObject(SQLException e) {
    return UNDEFINED_OBJECT.equals(e.getSQLState());
  }

  private static boolean roleExists(Connection c, String role) throws SQLException {
    return exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", role);
  }

  private static boolean databaseExists(Connection c, String database) throws SQLException {
    return exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", database);
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
