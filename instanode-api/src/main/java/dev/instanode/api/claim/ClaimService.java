package dev.instanode.api.claim;

import dev.instanode.api.auth.SessionTokens;
import dev.instanode.api.resources.ResourceView;
import dev.instanode.api.wire.ClaimPreviewReply;
import dev.instanode.api.wire.ClaimReply;
import dev.instanode.api.wire.ClaimRequest;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.DisplayNames;
import dev.instanode.core.EmailAddresses;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.Tier;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.core.names.StackSlug;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.OnboardingRepository;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.StackRepository;
import dev.instanode.store.TeamRecord;
import dev.instanode.store.UserRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Turns anonymous resources into a team's. The order of checks is the contract: email, token, known
 * jti, not yet converted, no account with that email (before anything is consumed), then one atomic
 * consume that exactly one of two racing claims wins.
 */
public final class ClaimService {
  /** The header an agent sends its previous {@code upgrade_jwt} back in. */
  public static final String UPGRADE_HEADER = "X-Instanode-Upgrade";

  /** Onboarding tokens one request may present, to claim or to carry forward. */
  public static final int MAX_CLAIM_TOKENS = 20;

  private final Jdbi jdbi;
  private final OnboardingTokens onboarding;
  private final OnboardingRepository events;
  private final IdentityRepository identities;
  private final ResourceRepository resources;
  private final StackRepository stacks;
  private final SessionTokens sessions;
  private final AuditLog audit;
  private final Clock clock;

  public ClaimService(
      Jdbi jdbi,
      OnboardingTokens onboarding,
      OnboardingRepository events,
      IdentityRepository identities,
      ResourceRepository resources,
      StackRepository stacks,
      SessionTokens sessions,
      AuditLog audit,
      Clock clock) {
    this.jdbi = jdbi;
    this.onboarding = onboarding;
    this.events = events;
    this.identities = identities;
    this.resources = resources;
    this.stacks = stacks;
    this.sessions = sessions;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * An onboarding token and, when the earlier ones the caller sent back could not be verified, a
   * sentence saying so.
   */
  public record Issued(String jwt, Optional<String> warning) {}

  /**
   * Issued after every anonymous provision. It lists the resource just made plus those listed by
   * the earlier onboarding tokens in {@code upgradeHeader} (comma-separated), so an agent's chain
   * of provisions claims together. Never "whatever this network made": a network is shared by many
   * people, and a token is proof of receipt only for what it lists.
   */
  public Issued issueFor(
      Fingerprint fingerprint, ResourceToken received, Optional<String> upgradeHeader) {
    return issue(fingerprint, Optional.of(received), Optional.empty(), List.of(), upgradeHeader);
  }

  /**
   * The same for an anonymous stack: its {@code upgrade_jwt} lists its slug, and the anonymous
   * resources its services need (the caller gave their tokens), so that claiming the stack brings
   * along what it runs on instead of leaving it to expire under the claimed stack.
   */
  public Issued issueForStack(
      Fingerprint fingerprint,
      StackSlug received,
      List<ResourceToken> needs,
      Optional<String> upgradeHeader) {
    return issue(fingerprint, Optional.empty(), Optional.of(received), needs, upgradeHeader);
  }

  private Issued issue(
      Fingerprint fingerprint,
      Optional<ResourceToken> receivedResource,
      Optional<StackSlug> receivedStack,
      List<ResourceToken> alsoListed,
      Optional<String> upgradeHeader) {
    List<ResourceToken> carried = new ArrayList<>(alsoListed);
    LinkedHashSet<StackSlug> carriedStacks = new LinkedHashSet<>();
    int rejected = 0;
    for (String earlier : upgradeTokens(upgradeHeader)) {
      Optional<OnboardingTokens.Onboarding> verified = onboarding.verify(earlier);
      if (verified.isPresent()) {
        carried.addAll(verified.get().tokens());
        carriedStacks.addAll(verified.get().stacks());
      } else {
        rejected++;
      }
    }
    receivedStack.ifPresent(carriedStacks::remove);
    List<StackSlug> listedStacks = new ArrayList<>(stacks.liveAnonymous(carriedStacks));
    receivedStack.ifPresent(listedStacks::add);
    UUID jti = UUID.randomUUID();
    Instant now = clock.instant();
    OnboardingRepository.Listed tokens =
        events.record(
            jti,
            fingerprint.value(),
            carried,
            receivedResource,
            listedStacks,
            now,
            now.plus(OnboardingTokens.LIFETIME));
    Optional<String> warning =
        rejected == 0
            ? Optional.empty()
            : Optional.of(
                "The "
                    + UPGRADE_HEADER
                    + " token was expired or not issued here, so this claim token does not carry"
                    + " the resources it listed.");
    return new Issued(onboarding.issue(jti, fingerprint.value(), tokens), warning);
  }

  /**
   * The resources the onboarding tokens in {@code upgradeHeader} list: what the caller provably
   * received. Tokens that do not verify list nothing.
   */
  public Set<ResourceToken> received(Optional<String> upgradeHeader) {
    Set<ResourceToken> received = new HashSet<>();
    for (String token : upgradeTokens(upgradeHeader)) {
      onboarding.verify(token).ifPresent(o -> received.addAll(o.tokens()));
    }
    return received;
  }

  private static List<String> upgradeTokens(Optional<String> header) {
    return header.stream()
        .flatMap(h -> Arrays.stream(h.split(",")))
        .map(String::trim)
        .filter(t -> !t.isEmpty())
        .limit(MAX_CLAIM_TOKENS)
        .toList();
  }

  /**
   * The anonymous resources {@code token} still lists. A link that does not verify (bad signature,
   * expired) is a 401: it is a credential.
   */
  public ClaimPreviewReply preview(Optional<String> token) {
    String jwt =
        token
            .filter(t -> !t.isBlank())
            .orElseThrow(() ->
                new ApiException(ErrorCode.INVALID_TOKEN, "Pass the claim token as ?t=<token>."));
    OnboardingTokens.Onboarding o = unconsumed(jwt, ErrorCode.UNVERIFIED_TOKEN);
    List<ResourceRecord> listed = resources.anonymousByTokens(o.tokens());
    return ClaimPreviewReply.of(listed.stream().map(ResourceView::brief).toList(), o.expiresAt());
  }

  /**
   * @param resources how many of the listed resources moved into the team (the others had expired,
   *     been deleted or been claimed already)
   */
  private record Claimed(
      TeamRecord team,
      UserRecord user,
      String sessionToken,
      String apiKey,
      int resources,
      int stacks) {}

  /**
   * Claims every resource listed by the request's onboarding tokens into a new team. All of them
   * are consumed in one transaction, or none is.
   */
  public ClaimReply claim(ClaimRequest request, RequestId req) {
    List<String> jwts = claimTokens(request);
    String email = EmailAddresses.require(request.email().orElse(""));
    Optional<String> teamName = request.teamName();
    Optional<String> chosenName = teamName.filter(n -> !n.isBlank());
    chosenName
        .flatMap(DisplayNames::problem)
        .ifPresent(p -> {
          throw new ApiException(ErrorCode.INVALID_NAME, "The team_name " + p + ".");
        });
    Map<UUID, OnboardingTokens.Onboarding> chains = new LinkedHashMap<>();
    for (String jwt : jwts) {
      OnboardingTokens.Onboarding o = unconsumed(jwt, ErrorCode.INVALID_TOKEN);
      chains.put(o.jti(), o);
    }
    if (identities.emailExists(email)) {
      throw accountExists();
    }
    String apiKey = ApiKeys.generate();
    LinkedHashSet<ResourceToken> listed = new LinkedHashSet<>();
    LinkedHashSet<StackSlug> listedStacks = new LinkedHashSet<>();
    chains
        .values()
        .forEach(o -> {
          listed.addAll(o.tokens());
          listedStacks.addAll(o.stacks());
        });
    List<ResourceToken> tokens = List.copyOf(listed);
    Claimed claimed;
    try {
      claimed =
          jdbi.inTransaction(h -> {
            TeamRecord team =
                identities.createTeam(
                    h, chosenName.map(DisplayNames::normalize).orElse(email), Tier.FREE);
            for (UUID jti : chains.keySet()) {
              if (!events.consume(h, jti, team.id())) {
                throw alreadyClaimed();
              }
            }
            UserRecord user = identities.createOwner(h, team.id(), email);
            identities.insertApiKey(h, team.id(), Optional.of(user.id()), "claim", apiKey);
            int moved = resources.moveToTeam(h, tokens, team.id());
            int movedStacks =
                StackRepository.moveToTeam(h, List.copyOf(listedStacks), team.id(), Tier.FREE);
            return new Claimed(
                team,
                user,
                sessions.issue(user.id(), team.id(), email),
                apiKey,
                moved,
                movedStacks);
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
            "Claimed "
                + claimed.resources()
                + " anonymous resource(s) and "
                + claimed.stacks()
                + " stack(s) into a new team",
            Map.of(
                "resources",
                claimed.resources(),
                "stacks",
                claimed.stacks(),
                "claim_tokens",
                chains.size()),
            Optional.of(req.value())));
    return new ClaimReply(
        true,
        claimed.team().id().toString(),
        claimed.user().id().toString(),
        claimed.sessionToken(),
        claimed.apiKey(),
        "Claimed "
            + claimed.resources()
            + " resource(s)"
            + (claimed.stacks() > 0 ? " and " + claimed.stacks() + " stack(s)" : "")
            + ". Keep the api_key: it is shown once. Your resources now belong to the"
            + " team.");
  }

  /** {@code token} (or the older {@code jwt}) and every entry of {@code tokens}, in that order. */
  private static List<String> claimTokens(ClaimRequest request) {
    List<String> tokens = new ArrayList<>();
    request.token().or(request::jwt).ifPresent(tokens::add);
    if (request.tokens().isPresent()) {
      if (request.tokens().get().size() > MAX_CLAIM_TOKENS) {
        throw tokensRefused();
      }
      tokens.addAll(request.tokens().get());
    }
    if (tokens.isEmpty() || tokens.stream().anyMatch(String::isBlank)) {
      throw new ApiException(
          ErrorCode.INVALID_TOKEN, "A claim \"token\" (or a \"tokens\" array) is required.");
    }
    return tokens;
  }

  /** The refusal of a {@code tokens} field that is not an array of at most the maximum. */
  static ApiException tokensRefused() {
    return new ApiException(
        ErrorCode.INVALID_TOKEN,
        "\"tokens\" must be an array of at most " + MAX_CLAIM_TOKENS + " claim tokens.");
  }

  /** A genuine token whose jti we issued and nobody has claimed yet; else its 4xx. */
  private OnboardingTokens.Onboarding unconsumed(String token, ErrorCode unverified) {
    OnboardingTokens.Onboarding o =
        onboarding
            .verify(token)
            .orElseThrow(
                () -> new ApiException(unverified, "The claim token is invalid or expired."));
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
