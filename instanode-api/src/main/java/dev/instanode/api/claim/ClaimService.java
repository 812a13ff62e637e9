package dev.instanode.api.claim;

import dev.instanode.api.auth.SessionTokens;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.Tier;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.OnboardingRepository;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.TeamRecord;
import dev.instanode.store.UserRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Turns anonymous resources into a team's. The order of checks is the contract: email, token, known
 * jti, not yet converted, no account with that email (before anything is consumed), then one atomic
 * consume that exactly one of two racing claims wins.
 */
public final class ClaimService {
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}$");

  private final Jdbi jdbi;
  private final OnboardingTokens onboarding;
  private final OnboardingRepository events;
  private final IdentityRepository identities;
  private final ResourceRepository resources;
  private final SessionTokens sessions;
  private final AuditLog audit;
  private final Clock clock;

  public ClaimService(
      Jdbi jdbi,
      OnboardingTokens onboarding,
      OnboardingRepository events,
      IdentityRepository identities,
      ResourceRepository resources,
      SessionTokens sessions,
      AuditLog audit,
      Clock clock) {
    this.jdbi = jdbi;
    this.onboarding = onboarding;
    this.events = events;
    this.identities = identities;
    this.resources = resources;
    this.sessions = sessions;
    this.audit = audit;
    this.clock = clock;
  }

  /** Issued after every anonymous provision: lists the network's active anonymous resources. */
  public String issueFor(Fingerprint fingerprint) {
    UUID jti = UUID.randomUUID();
    Instant now = clock.instant();
    List<ResourceToken> tokens =
        events.recordForLiveAnonymous(
            jti, fingerprint.value(), now, now.plus(OnboardingTokens.LIFETIME));
    return onboarding.issue(jti, fingerprint.value(), tokens);
  }

  public record Preview(List<ResourceRecord> resources, Instant expiresAt) {}

  public Preview preview(String token) {
    OnboardingTokens.Onboarding o = unconsumed(token);
    return new Preview(resources.anonymousByTokens(claimable(o)), o.expiresAt());
  }

  public record Claimed(TeamRecord team, UserRecord user, String sessionToken, String apiKey) {}

  public Claimed claim(String token, String rawEmail, Optional<String> teamName, RequestId req) {
    String email = rawEmail == null ? "" : rawEmail.trim().toLowerCase(java.util.Locale.ROOT);
    if (!EMAIL.matcher(email).matches()) {
      throw new ApiException(ErrorCode.INVALID_EMAIL, "A valid \"email\" is required.");
    }
    OnboardingTokens.Onboarding o = unconsumed(token);
    if (identities.emailExists(email)) {
      throw accountExists();
    }
    String apiKey = ApiKeys.generate();
    List<ResourceToken> tokens = claimable(o);
    Claimed claimed;
    try {
      claimed =
          jdbi.inTransaction(h -> {
            TeamRecord team =
                identities.createTeam(
                    h, teamName.filter(n -> !n.isBlank()).orElse(email), Tier.FREE);
            if (!events.consume(h, o.jti(), team.id())) {
              throw alreadyClaimed();
            }
            UserRecord user = identities.createOwner(h, team.id(), email);
            identities.insertApiKey(
                h, team.id(), Optional.of(user.id()), "claim", ApiKeys.hash(apiKey));
            resources.moveToTeam(h, tokens, team.id());
            return new Claimed(team, user, sessions.issue(user.id(), team.id(), email), apiKey);
          });
    } catch (UnableToExecuteStatementException e) {
      // Two claims with different tokens but one email: the unique index decides.
      if (e.getMessage() != null && e.getMessage().contains("users_email_lower_key")) {
        throw accountExists();
      }
      throw e;
    }
    audit.record(
        new AuditEvent(
            Optional.of(claimed.team().id()),
            AuditEvent.Actor.USER,
            AuditKind.ONBOARDING_CLAIMED,
            Optional.empty(),
            Optional.empty(),
            "Claimed " + tokens.size() + " anonymous resource(s) into a new team",
            Map.of("resources", tokens.size()),
            Optional.of(req.value())));
    return claimed;
  }

  /** The token's own list plus whatever the same network made since it was issued. */
  private List<ResourceToken> claimable(OnboardingTokens.Onboarding o) {
    LinkedHashSet<ResourceToken> all = new LinkedHashSet<>(o.tokens());
    all.addAll(resources.activeAnonymousTokens(o.fingerprint()));
    return new ArrayList<>(all);
  }

  /** A genuine token whose jti we issued and nobody has claimed yet; else its 4xx. */
  private OnboardingTokens.Onboarding unconsumed(String token) {
    OnboardingTokens.Onboarding o =
        onboarding
            .verify(token)
            .orElseThrow(() ->
                new ApiException(
                    ErrorCode.INVALID_TOKEN, "The claim token is invalid or expired."));
    OnboardingRepository.Event event =
        events
            .find(o.jti())
            .orElseThrow(() -> new ApiException(ErrorCode.INVALID_TOKEN, "Unknown claim token."));
    if (event.convertedAt().isPresent()) {
      throw alreadyClaimed();
    }
    return o;
  }

  private static ApiException alreadyClaimed() {
    return new ApiException(ErrorCode.ALREADY_CLAIMED, "These resources were already claimed.");
  }

  private static ApiException accountExists() {
    return new ApiException(ErrorCode.ACCOUNT_EXISTS, "An account with this email already exists.");
  }
}
