package dev.instanode.core;

import java.util.Optional;

/**
 * The token a resource's infrastructure is named after: the resource's own token when it was
 * provisioned live, or the pool token of the pre-made item it was handed. Every call that touches
 * infrastructure takes this, never a bare string, so a resource token cannot be aimed at a pooled
 * resource's objects by mistake (seed 000's bug class).
 */
public sealed interface InfraKey permits ResourceToken, PoolToken {
  /** The text infrastructure names are built from ({@code db_<key>}, {@code usr_<key>}, ...). */
  String text();

  /**
   * Reads a key back from an infrastructure name's suffix: a pool token, or else a resource token.
   * Empty when it is neither, so a stranger's object is never taken for a tenant's.
   */
  static Optional<InfraKey> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    if (text.startsWith(PoolToken.PREFIX)) {
      try {
        return Optional.of(new PoolToken(text));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    return ResourceToken.parse(text).filter(t -> t.text().equals(text)).map(t -> t);
  }

  /** Safe for logs. */
  default String masked() {
    return Masking.token(text());
  }
}
