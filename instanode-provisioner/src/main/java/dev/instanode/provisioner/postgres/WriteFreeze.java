package dev.instanode.provisioner.postgres;

import dev.instanode.core.crypto.Secrets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * Stops a tenant's writes while its database is over its storage limit, so that nothing the tenant
 * can do from its own session undoes it, and gives them back.
 *
 * <p>An owner can always re-grant itself what was revoked, so revoking is not enough: ownership of
 * the tenant's objects (and of the database) moves to a NOLOGIN keeper role {@code <role>_frozen}
 * that nobody can become. INSERT and UPDATE are then revoked from everyone: from the keeper, so a
 * SECURITY DEFINER function the tenant planted, which now runs as the keeper, cannot write; and
 * from PUBLIC and the tenant, since grants it made while it owned its tables outlive the ownership
 * move. The tenant keeps:
 *
 * <ul>
 *   <li>CONNECT, SELECT on tables and sequences, DELETE, TRUNCATE, and MAINTAIN (VACUUM FULL) where
 *       the server has it (PostgreSQL 17+), so it can read and get back under;
 *   <li>ownership of its schemas, so it can DROP what is in them.
 * </ul>
 *
 * An event trigger owned by the superuser refuses every DDL command but DROP from a non-superuser
 * (CREATE, ALTER, GRANT, SELECT INTO, CREATE INDEX, REFRESH …); the tenant cannot drop or disable
 * it, nor set {@code session_replication_role}. New large objects are refused while frozen.
 *
 * <p>A binding's login ({@code bnd_…}, a member of the tenant's role) is frozen with it: what it
 * owns moves to the keeper and what it was granted is revoked, so it keeps exactly the tenant's
 * rights.
 *
 * <p>The keeper role's existence is the frozen state: {@link #thaw} drops it.
 */
final class WriteFreeze {
  static final String KEEPER_SUFFIX = "_frozen";
  static final String EVENT_TRIGGER = "instanode_storage_guard";
  private static final String GUARD_SCHEMA_PREFIX = "instanode_guard_";
  private static final String LARGE_OBJECT_CREATORS =
      "lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea)";

  private WriteFreeze() {}

  static String keeperOf(String role) {
    return role + KEEPER_SUFFIX;
  }

  /** Idempotent; one transaction, so a failure leaves the database as it was. */
  static void freeze(Connection c, String role) throws SQLException {
    String tenant = Identifiers.literal(role);
    String keeper = Identifiers.literal(keeperOf(role));
    String tenantPrivileges =
        serverVersion(c) >= 170000
            ? "SELECT, DELETE, TRUNCATE, MAINTAIN"
            : "SELECT, DELETE, TRUNCATE";
    // The guard's schema name is unguessable, so no tenant can have made it beforehand.
    String guard = GUARD_SCHEMA_PREFIX + Secrets.hex(6);
    inTransaction(
        c,
        s -> {
          dropGuard(c, s);
          s.execute(
              """
              DO $do$
              DECLARE
                tenant text := %1$s;
                keeper text := %2$s;
                s text;
                lo oid;
                b text;
                bindings text := '';
              BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = keeper) THEN
                  EXECUTE format('CREATE ROLE %%I NOLOGIN', keeper);
                END IF;
                EXECUTE format('REASSIGN OWNED BY %%I TO %%I', tenant, keeper);
                -- A binding's login is a member of the tenant and can connect here: what it owns
                -- (made after SET ROLE NONE) goes to the keeper too, and what it was granted is
                -- revoked with the tenant's below.
                FOR b IN SELECT m.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member
                         WHERE a.roleid = tenant::regrole AND m.rolname LIKE 'bnd\\_%%'
                LOOP
                  EXECUTE format('REASSIGN OWNED BY %%I TO %%I', b, keeper);
                  bindings := bindings || format(', %%I', b);
                END LOOP;
                EXECUTE format('GRANT CONNECT ON DATABASE %%I TO %%I', current_database(), tenant);
                FOR s IN SELECT nspname FROM pg_namespace
                         WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema'
                           AND nspowner IN (keeper::regrole, 'pg_database_owner'::regrole)
                LOOP
                  EXECUTE format('ALTER SCHEMA %%I OWNER TO %%I', s, tenant);
                  -- Table-level REVOKE takes the column grants too. PUBLIC: whatever the tenant
                  -- granted it while it was the owner would outlive the ownership move.
                  EXECUTE format('REVOKE INSERT, UPDATE ON ALL TABLES IN SCHEMA %%I'
                                 ' FROM PUBLIC, %%I, %%I', s, tenant, keeper) || bindings;
                  EXECUTE format('REVOKE UPDATE, USAGE ON ALL SEQUENCES IN SCHEMA %%I'
                                 ' FROM PUBLIC, %%I', s, tenant) || bindings;
                  EXECUTE format('GRANT %3$s ON ALL TABLES IN SCHEMA %%I TO %%I', s, tenant);
                  EXECUTE format('GRANT SELECT ON ALL SEQUENCES IN SCHEMA %%I TO %%I', s, tenant);
                END LOOP;
                FOR lo IN SELECT oid FROM pg_largeobject_metadata WHERE lomowner = keeper::regrole
                LOOP
                  EXECUTE format('REVOKE UPDATE ON LARGE OBJECT %%s FROM PUBLIC, %%I', lo, tenant)
                          || bindings;
                  EXECUTE format('GRANT SELECT ON LARGE OBJECT %%s TO %%I', lo, tenant);
                END LOOP;
              END
              $do$
              """
                  .formatted(tenant, keeper, tenantPrivileges));
          s.execute("REVOKE EXECUTE ON FUNCTION " + LARGE_OBJECT_CREATORS + " FROM PUBLIC");
          s.execute("CREATE SCHEMA " + Identifiers.quote(guard));
          s.execute("REVOKE ALL ON SCHEMA " + Identifiers.quote(guard) + " FROM PUBLIC");
          s.execute(
              """
              CREATE FUNCTION %1$s.refuse_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $f$
              BEGIN
                IF tg_tag NOT LIKE 'DROP %%'
                   AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                  RAISE EXCEPTION 'storage limit reached: %% is refused until this database is'
                      ' back under its plan; DELETE, TRUNCATE and DROP still work', tg_tag
                    USING ERRCODE = '53400';
                END IF;
              END
              $f$
              """
                  .formatted(Identifiers.quote(guard)));
          s.execute(
              "CREATE EVENT TRIGGER "
                  + EVENT_TRIGGER
                  + " ON ddl_command_start EXECUTE FUNCTION "
                  + Identifiers.quote(guard)
                  + ".refuse_ddl()");
        });
  }

  /** Gives the tenant back its objects and every privilege on them; idempotent. */
  static void thaw(Connection c, String role) throws SQLException {
    String tenant = Identifiers.literal(role);
    String keeper = Identifiers.literal(keeperOf(role));
    inTransaction(
        c,
        s -> {
          dropGuard(c, s);
          s.execute(
              """
              DO $do$
              DECLARE
                tenant text := %1$s;
                keeper text := %2$s;
                s text;
              BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = keeper) THEN
                  RETURN;
                END IF;
                FOR s IN SELECT nspname FROM pg_namespace
                         WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema'
                LOOP
                  EXECUTE format('GRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA %%I TO %%I',
                                 s, keeper);
                END LOOP;
                EXECUTE format('REASSIGN OWNED BY %%I TO %%I', keeper, tenant);
                EXECUTE format('DROP OWNED BY %%I', keeper);
                EXECUTE format('DROP ROLE %%I', keeper);
              END
              $do$
              """
                  .formatted(tenant, keeper));
          s.execute("GRANT EXECUTE ON FUNCTION " + LARGE_OBJECT_CREATORS + " TO PUBLIC");
        });
  }

  private static void dropGuard(Connection c, Statement s) throws SQLException {
    Optional<String> schema = guardSchema(c);
    s.execute("DROP EVENT TRIGGER IF EXISTS " + EVENT_TRIGGER);
    if (schema.isPresent()) {
      s.execute("DROP SCHEMA IF EXISTS " + Identifiers.quote(schema.get()) + " CASCADE");
    }
  }

  private static Optional<String> guardSchema(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT n.nspname FROM pg_event_trigger e JOIN pg_proc p ON p.oid = e.evtfoid"
                + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE e.evtname = ?")) {
      ps.setString(1, EVENT_TRIGGER);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static int serverVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1));
    }
  }

  /**
   * The whole change or nothing. A tenant transaction holding a lock makes it wait at most {@code
   * lock_timeout}, then fail; the caller may end the tenant's sessions and try again.
   */
  private static void inTransaction(Connection c, RoleSql.Work work) throws SQLException {
    RoleSql.inTransaction(
        c,
        s -> {
          s.execute("SET LOCAL lock_timeout = '5s'");
          work.run(s);
        });
  }
}
