package dev.instanode.api.auth;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.Fingerprint;
import dev.instanode.core.ResourceId;
import dev.instanode.core.TeamId;
import dev.instanode.core.TeamRole;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Who is calling: nobody in particular (by network fingerprint), or a team member. */
public sealed interface Caller {
  Fingerprint fingerprint();

  record Anonymous(Fingerprint fingerprint) implements Caller {
    public Anonymous {
      requireNonNull(fingerprint, "fingerprint is null");
    }
  }

  /**
   * @param userId empty for a team API key created without a user
   * @param via {@code session} or {@code api_key}
   * @param scopes what it may do: {@code read} (GET and HEAD), {@code write} (everything else); a
   *     session has both
   * @param apiKeyId the key it came with, when it came with one
   * @param role the member's role now (a key acts with its creator's current role)
   * @param sessionId the session's {@code jti}, when it came with a session
   * @param limitedTo the one resource a binding's key reaches; empty for every other credential
   */
  record Member(
      Fingerprint fingerprint,
      TeamId teamId,
      Optional<UUID> userId,
      String via,
      Set<String> scopes,
      Optional<UUID> apiKeyId,
      TeamRole role,
      Optional<String> sessionId,
      Optional<ResourceId> limitedTo)
      implements Caller {
    public static final Set<String> ALL_SCOPES = Set.of("read", "write");

    public Member {
      requireNonNull(fingerprint, "fingerprint is null");
      requireNonNull(teamId, "teamId is null");
      requireNonNull(userId, "userId is null");
      requireNonNull(via, "via is null");
      scopes = Set.copyOf(scopes);
      requireNonNull(apiKeyId, "apiKeyId is null");
      requireNonNull(role, "role is null");
      requireNonNull(sessionId, "sessionId is null");
      requireNonNull(limitedTo, "limitedTo is null");
    }

    public boolean canWrite() {
      return scopes.contains("write");
    }

    public boolean isSession() {
      return "session".equals(via);
    }
  }
}
