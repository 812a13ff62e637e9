package dev.instanode.provisioner.postgres;

import dev.instanode.core.Limit;
import dev.instanode.core.Plan;
import java.sql.Array;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A tier's runaway-work bounds as role settings ({@code ALTER ROLE … SET}), applied when a role is
 * made and whenever its tier changes. Values are written in the base unit (ms, kB) so that {@code
 * pg_db_role_setting} reads back exactly what was written and {@link #matches} can compare.
 *
 * <p>Only {@code temp_file_limit} is a ceiling by itself: Postgres lets only a superuser set it. A
 * tenant may change the other three, for its session and even as its role's default ({@code ALTER
 * ROLE CURRENT_USER SET …}); the two timeouts are enforced regardless by {@link RunawayWatch}, from
 * the plan, and {@code work_mem} has no ceiling Postgres can express per role.
 */
final class TenantRoleSettings {
  static final String STATEMENT_TIMEOUT = "statement_timeout";
  static final String IDLE_IN_TRANSACTION = "idle_in_transaction_session_timeout";
  static final String TEMP_FILE_LIMIT = "temp_file_limit";
  static final String WORK_MEM = "work_mem";

  /** Every setting this class manages, in the order it applies them. */
  static final List<String> NAMES =
      List.of(STATEMENT_TIMEOUT, IDLE_IN_TRANSACTION, TEMP_FILE_LIMIT, WORK_MEM);

  /** What a stored value may be to be written again: {@code 30000}, {@code 64MB}, {@code 5min}. */
  private static final Pattern PLAIN_VALUE = Pattern.compile("[A-Za-z0-9.]{1,32}");

  private final Map<String, Optional<String>> values;

  private TenantRoleSettings(Map<String, Optional<String>> values) {
    this.values = values;
  }

  /** Unlimited (-1) means the server's default: the setting is reset, not written. */
  static TenantRoleSettings of(Plan.PostgresLimits limits) {
    Map<String, Optional<String>> values = new LinkedHashMap<>();
    values.put(STATEMENT_TIMEOUT, scaled(limits.statementTimeoutSeconds(), 1000));
    values.put(IDLE_IN_TRANSACTION, scaled(limits.idleInTransactionTimeoutSeconds(), 1000));
    values.put(TEMP_FILE_LIMIT, scaled(limits.tempFileLimitMb(), 1024));
    values.put(WORK_MEM, scaled(limits.workMemMb(), 1024));
    return new TenantRoleSettings(values);
  }

  /**
   * The managed settings a role has stored (a binding copies its owner's). A value that is not
   * plain text is left out, which resets it to the server's default; the two timeouts are held by
   * {@link RunawayWatch} whatever the role says.
   */
  static TenantRoleSettings copyOf(Map<String, String> stored) {
    Map<String, Optional<String>> values = new LinkedHashMap<>();
    for (String name : NAMES) {
      values.put(
          name,
          Optional.ofNullable(stored.get(name)).filter(v -> PLAIN_VALUE.matcher(v).matches()));
    }
    return new TenantRoleSettings(values);
  }

  private static Optional<String> scaled(long limit, long factor) {
    return Limit.isUnlimited(limit) ? Optional.empty() : Optional.of(Long.toString(limit * factor));
  }

  /** SET or RESET every managed setting of {@code role}, in one round trip. */
  void apply(Statement s, String role) throws SQLException {
    String quoted = Identifiers.quote(role);
    List<String> statements = new ArrayList<>();
    for (Map.Entry<String, Optional<String>> e : values.entrySet()) {
      statements.add(
          e.getValue().isPresent()
              ? "ALTER ROLE " + quoted + " SET " + e.getKey() + " = '" + e.getValue().get() + "'"
              : "ALTER ROLE " + quoted + " RESET " + e.getKey());
    }
    s.execute(String.join("; ", statements));
  }

  /** True when the role's stored settings ({@code pg_db_role_setting.setconfig}) are these. */
  boolean matches(Map<String, String> stored) {
    for (Map.Entry<String, Optional<String>> e : values.entrySet()) {
      if (!e.getValue().equals(Optional.ofNullable(stored.get(e.getKey())))) {
        return false;
      }
    }
    return true;
  }

  /** {@code {statement_timeout=30000,work_mem=4096}} as a map; null (no settings) is empty. */
  static Map<String, String> parse(Array setconfig) throws SQLException {
    Map<String, String> stored = new LinkedHashMap<>();
    if (setconfig == null) {
      return stored;
    }
    for (String entry : (String[]) setconfig.getArray()) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        stored.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return stored;
  }
}
