package dev.instanode.chokepoint;

import dev.instanode.core.names.AclUserName;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.DatabaseName;
import dev.instanode.core.names.InfraName;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.ObjectPrefix;
import dev.instanode.core.names.QueueUser;
import dev.instanode.core.names.RoleName;
import dev.instanode.core.names.WebhookInbox;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refuses to drop anything that is not a customer object. The last line of defence against a bug
 * (or an operator typo) that would aim a DROP at {@code postgres}, the platform database, Redis's
 * {@code default} user or a namespace the platform itself runs in. One rule set per kind of name.
 */
public final class DropGuard {
  private static final Pattern SQL_CHARSET = Pattern.compile("[A-Za-z0-9._-]+");
  private static final int SQL_MAX_BYTES = 63;
  private static final Set<String> ALWAYS_DENIED =
      Set.of(
          "postgres",
          "template0",
          "template1",
          "admin",
          "default",
          "root",
          "instanode",
          "instanode_admin",
          "replication",
          "local",
          "config");

  /** A DNS-1123 label, which every namespace name is. */
  private static final Pattern NAMESPACE_CHARSET = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private static final int NAMESPACE_MAX = 63;

  private static final Pattern OBJECT_PREFIX =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/");
  private static final Set<String> NAMESPACES_DENIED = Set.of("default", "instant-infra");

  private final Set<String> denied;

  /**
   * @param protectedNames platform database names and admin users of this deployment
   */
  public DropGuard(Set<String> protectedNames) {
    Set<String> all = new HashSet<>(ALWAYS_DENIED);
    protectedNames.forEach(n -> all.add(n.toLowerCase(Locale.ROOT)));
    this.denied = Set.copyOf(all);
  }

  /** Empty when {@code name} may be dropped, else the reason it may not. */
  public Optional<String> refusal(InfraName name) {
    return switch (name) {
      case DatabaseName d -> sqlName(d.value(), DatabaseName.PREFIX);
      case RoleName r -> sqlName(r.value(), RoleName.PREFIX);
      case AclUserName u -> sqlName(u.value(), AclUserName.PREFIX);
      case NamespaceName n -> namespace(n);
      case WebhookInbox w -> sqlName(w.value(), WebhookInbox.PREFIX);
      case QueueUser q -> sqlName(q.value(), QueueUser.PREFIX);
      case ObjectPrefix p -> objectPrefix(p);
      case BindingLogin b -> bindingLogin(b);
    };
  }

  /**
   * Exactly one tenant's prefix, {@code <uuid>/}: an empty prefix (the whole bucket), one without
   * its slash (which would cover every token sharing its leading characters) or any other shape
   * would reach objects that are not the tenant's.
   */
  private static Optional<String> objectPrefix(ObjectPrefix prefix) {
    if (!OBJECT_PREFIX.matcher(prefix.value()).matches()) {
      return Optional.of("not one tenant's prefix (<uuid>/)");
    }
    return Optional.empty();
  }

  /**
   * A Postgres role or Redis user of a binding: a SQL name with the prefix {@code bnd_}, and the
   * whole shape {@code bnd_<key>_<16 hex>}, so that only a login made for a binding of one of our
   * resources passes.
   */
  private Optional<String> bindingLogin(BindingLogin login) {
    Optional<String> sql = sqlName(login.value(), BindingLogin.PREFIX);
    if (sql.isPresent()) {
      return sql;
    }
    if (BindingLogin.keyOf(login.value()).isEmpty()) {
      return Optional.of("not a binding login (bnd_<key>_<16 hex>)");
    }
    return Optional.empty();
  }

  private Optional<String> sqlName(String name, String prefix) {
    if (name.isEmpty()) {
      return Optional.of("empty name");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > SQL_MAX_BYTES) {
      return Optional.of("name longer than 63 bytes");
    }
    if (!SQL_CHARSET.matcher(name).matches()) {
      return Optional.of("name has characters outside [A-Za-z0-9._-]");
    }
    if (denied.contains(name.toLowerCase(Locale.ROOT))) {
      return Optional.of("name is on the denylist");
    }
    if (!name.startsWith(prefix) || name.length() == prefix.length()) {
      return Optional.of("name lacks the customer prefix " + prefix);
    }
    return Optional.empty();
  }

  private Optional<String> namespace(NamespaceName namespace) {
    String name = namespace.value();
    if (name.isEmpty()) {
      return Optional.of("empty name");
    }
    if (name.length() > NAMESPACE_MAX || !NAMESPACE_CHARSET.matcher(name).matches()) {
      return Optional.of("not a namespace name (a DNS-1123 label)");
    }
    if (NAMESPACES_DENIED.contains(name) || name.startsWith("kube-") || denied.contains(name)) {
      return Optional.of("namespace is on the denylist");
    }
    if (namespace.tenantKind().isEmpty()) {
      return Optional.of(
          "namespace lacks a tenant prefix (instant-stack-, instant-customer-, instant-deploy-)");
    }
    return Optional.empty();
  }
}
