package dev.instanode.api.auth;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.Fingerprint;
import dev.instanode.core.TeamId;
import java.util.Optional;
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
   */
  record Member(Fingerprint fingerprint, TeamId teamId, Optional<UUID> userId, String via)
      implements Caller {
    public Member {
      requireNonNull(fingerprint, "fingerprint is null");
      requireNonNull(teamId, "teamId is null");
      requireNonNull(userId, "userId is null");
      requireNonNull(via, "via is null");
    }
  }
}
