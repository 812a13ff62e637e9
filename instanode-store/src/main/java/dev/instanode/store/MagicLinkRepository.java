package dev.instanode.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** {@code magic_links}: one-time sign-in links, kept as the SHA-256 of their token. */
public final class MagicLinkRepository {
  private final Jdbi jdbi;

  public MagicLinkRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Stores a link, and clears away a few that lapsed a day ago or more. */
  public void insert(UUID user, String tokenHash, Instant expiresAt) {
    jdbi.useTransaction(h -> {
      h.createUpdate(
              "DELETE FROM magic_links WHERE id IN (SELECT id FROM magic_links"
                  + " WHERE expires_at < now() - interval '1 day' LIMIT 100)")
          .execute();
      h.createUpdate(
              "INSERT INTO magic_links (user_id, token_hash, expires_at) VALUES (:user, :hash,"
                  + " :expires)")
          .bind("user", user)
          .bind("hash", tokenHash)
          .bind("expires", Timestamp.from(expiresAt))
          .execute();
    });
  }

  /**
   * Uses the link: its user once, while it is good; empty when it is unknown, used or lapsed. One
   * statement, so two concurrent uses cannot both succeed.
   */
  public Optional<UUID> consume(String tokenHash) {
    return jdbi.withHandle(h ->
        h.createQuery(
                "UPDATE magic_links SET used_at = now() WHERE token_hash = :hash"
                    + " AND used_at IS NULL AND expires_at > now() RETURNING user_id")
            .bind("hash", tokenHash)
            .mapTo(UUID.class)
            .findOne());
  }
}
