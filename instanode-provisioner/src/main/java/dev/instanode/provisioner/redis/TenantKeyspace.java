package dev.instanode.provisioner.redis;

import dev.instanode.core.InfraKey;
import dev.instanode.core.names.AclUserName;
import dev.instanode.provisioner.ProvisionerException;
import java.util.regex.Pattern;

/**
 * Where one tenant lives on the shared Redis: its ACL user {@code usr_<token>} and its key (and
 * channel) prefix {@code <token>:}.
 *
 * <p>The token may not contain {@code ':'}, so no tenant's prefix is a prefix of another's: {@code
 * a:} can never match a key of a tenant {@code a:b}. Tokens are UUIDs or {@code pool-<uuid>}; the
 * charset and length also keep {@code usr_<token>} acceptable to the DropGuard.
 *
 * @param user the ACL user, always {@code usr_}-prefixed (never {@code default})
 * @param keyPrefix what the tenant's keys and channels start with
 * @param pattern the glob matching exactly the tenant's keys, with the prefix escaped
 */
record TenantKeyspace(String user, String keyPrefix, String pattern) {
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,59}");

  static TenantKeyspace of(InfraKey key) {
    String namingToken = key.text();
    if (!TOKEN.matcher(namingToken).matches()) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT,
          "redis naming token must be 1-59 characters of [A-Za-z0-9._-]",
          null);
    }
    String prefix = namingToken + ":";
    return new TenantKeyspace(AclUserName.of(key).value(), prefix, escapeGlob(prefix) + "*");
  }

  /**
   * Escapes the characters Redis glob matching (SCAN MATCH, ACL key and channel patterns) treats
   * specially. The token charset already excludes them; this keeps a future, looser token from
   * widening a pattern to other tenants' keys.
   */
  static String escapeGlob(String literal) {
    StringBuilder out = new StringBuilder(literal.length());
    for (char c : literal.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
