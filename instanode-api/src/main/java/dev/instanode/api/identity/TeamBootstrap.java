package dev.instanode.api.identity;

import dev.instanode.core.AuditKind;
import dev.instanode.core.Tier;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.TeamRecord;
import dev.instanode.store.UserRecord;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Creates a team, its owner and a first API key: how an operator starts a team without email. */
public final class TeamBootstrap {
  private final Jdbi jdbi;
  private final IdentityRepository identities;
  private final AuditLog audit;

  public TeamBootstrap(Jdbi jdbi, IdentityRepository identities, AuditLog audit) {
    this.jdbi = jdbi;
    this.identities = identities;
    this.audit = audit;
  }

  public record Bootstrapped(TeamRecord team, UserRecord owner, String apiKey) {}

  /**
   * @throws IllegalArgumentException when a user with {@code email} already exists
   */
  public Bootstrapped create(String email, Tier tier, String teamName) {
    String normalized = email.trim().toLowerCase(java.util.Locale.ROOT);
    if (identities.emailExists(normalized)) {
      throw new IllegalArgumentException("a user with email " + normalized + " already exists");
    }
    String key = ApiKeys.generate();
    Bootstrapped made =
        jdbi.inTransaction(h -> {
          TeamRecord team = identities.createTeam(h, teamName, tier);
          UserRecord owner = identities.createOwner(h, team.id(), normalized);
          identities.insertApiKey(h, team.id(), Optional.of(owner.id()), "bootstrap", key);
          return new Bootstrapped(team, owner, key);
        });
    audit.write(
        new AuditEvent(
            Optional.of(made.team().id()),
            AuditEvent.Actor.CLI,
            AuditKind.TEAM_CREATED,
            Optional.empty(),
            Optional.empty(),
            "Team created by an operator",
            Map.of("tier", tier.wireName()),
            Optional.empty()));
    return made;
  }
}
