package dev.instanode.api.resources;

import dev.instanode.api.auth.Caller;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import java.time.Clock;
import java.util.Optional;

/**
 * The original's token-as-credential rule for the kinds used over their own routes (webhook
 * receivers, storage): a team's resource answers to the team's key, an anonymous one to its token
 * alone, and a binding's key (limited to one resource) to that resource only; anything else,
 * another team's included, is a 404 (never 403: a token is not confirmed).
 */
public final class TokenCredential {
  private final ResourceRepository resources;
  private final Clock clock;

  public TokenCredential(ResourceRepository resources, Clock clock) {
    this.resources = resources;
    this.clock = clock;
  }

  /**
   * The live resource of {@code type} that {@code caller} may use, or a 404 saying {@code what}.
   */
  public ResourceRecord usable(Caller caller, String rawToken, ResourceType type, String what) {
    Optional<ResourceRecord> found =
        ResourceToken.parse(rawToken).flatMap(resources::findByToken).filter(r -> live(r, type));
    boolean allowed =
        found
            .map(r ->
                switch (caller) {
                  case Caller.Member m ->
                      r.teamId().filter(m.teamId()::equals).isPresent()
                          && m.limitedTo().map(r.id()::equals).orElse(true);
                  case Caller.Anonymous a -> r.teamId().isEmpty();
                })
            .orElse(false);
    if (!allowed) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No such " + what + " for this caller.");
    }
    return found.get();
  }

  /** Active and not past its expiry (the expiry job may not have run yet). */
  public boolean live(ResourceRecord r, ResourceType type) {
    return r.type() == type
        && r.status() == ResourceStatus.ACTIVE
        && r.expiresAt().map(at -> at.isAfter(clock.instant())).orElse(true);
  }
}
