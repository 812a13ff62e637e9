package dev.instanode.api.identity;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.Pages;
import dev.instanode.api.wire.ApiKeyReply;
import dev.instanode.api.wire.ApiKeyRequest;
import dev.instanode.api.wire.ApiKeysReply;
import dev.instanode.api.wire.DeletedReply;
import dev.instanode.api.wire.LegacyTokenReply;
import dev.instanode.api.wire.MeReply;
import dev.instanode.api.wire.WhoAmIReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.DisplayNames;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.RequestId;
import dev.instanode.core.TeamId;
import dev.instanode.core.TeamRole;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.TeamRecord;
import dev.instanode.store.UserRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/** Who a member is, and the API keys they mint. Every key minted is audited. */
public final class IdentityService {
  private final IdentityRepository identities;
  private final AuditLog audit;
  private final Clock clock;
  private final Duration legacyKeyTtl;

  /**
   * @param legacyKeyTtl lifetime of the keys {@link #legacyToken} mints
   */
  public IdentityService(
      IdentityRepository identities, AuditLog audit, Clock clock, Duration legacyKeyTtl) {
    this.identities = identities;
    this.audit = audit;
    this.clock = clock;
    this.legacyKeyTtl = legacyKeyTtl;
  }

  public MeReply me(Caller.Member member) {
    TeamRecord team = team(member);
    return new MeReply(
        true,
        member.userId().map(UUID::toString),
        team.id().toString(),
        member.userId().flatMap(identities::user).map(UserRecord::email),
        team.planTier().wireName());
  }

  /** A named key that does not expire, shown once. Only a session makes one, never a key. */
  public ApiKeyReply createApiKey(
      Caller.Member member, ApiKeyRequest request, RequestId requestId) {
    requireSession(member);
    String name =
        request
            .name()
            .filter(n -> !n.isBlank())
            .orElseThrow(() ->
                new ApiException(
                    ErrorCode.NAME_REQUIRED, "A \"name\" of 1-64 characters is required."));
    DisplayNames.problem(name)
        .ifPresent(p -> {
          throw new ApiException(ErrorCode.INVALID_NAME, "The key name " + p + ".");
        });
    List<String> scopes = scopes(member, request.scopes());
    return issueKey(member, DisplayNames.normalize(name), Optional.empty(), scopes, requestId);
  }

  /** Both when absent; never more than the caller itself may do. */
  private static List<String> scopes(Caller.Member member, Optional<List<String>> asked) {
    if (asked.isEmpty()) {
      return List.copyOf(new TreeSet<>(member.scopes()));
    }
    List<String> scopes = asked.get();
    if (scopes.isEmpty() || !Caller.Member.ALL_SCOPES.containsAll(scopes)) {
      throw new ApiException(
          ErrorCode.INVALID_SCOPES, "scopes must be a non-empty list of \"read\" and \"write\".");
    }
    if (!member.scopes().containsAll(scopes)) {
      throw new ApiException(
          ErrorCode.INSUFFICIENT_SCOPE, "A key cannot be given scopes its creator lacks.");
    }
    // Whoever may write may read: a write key is stored with both.
    TreeSet<String> granted = new TreeSet<>(scopes);
    if (granted.contains("write")) {
      granted.add("read");
    }
    return List.copyOf(granted);
  }

  /** The team's live keys, newest first; never a secret. */
  public ApiKeysReply apiKeys(
      Caller.Member member, Optional<String> cursor, Optional<String> limit) {
    Pages.Page<IdentityRepository.ApiKeyListing> page =
        Pages.read(
            cursor,
            limit,
            (after, n) -> identities.apiKeys(member.teamId(), after, n),
            IdentityRepository.ApiKeyListing::createdAt,
            IdentityRepository.ApiKeyListing::id);
    return new ApiKeysReply(
        true,
        page.items().stream()
            .map(k ->
                new ApiKeysReply.Item(
                    k.id().toString(),
                    k.name(),
                    k.prefix(),
                    k.scopes(),
                    k.createdAt(),
                    k.lastUsedAt(),
                    k.expiresAt(),
                    k.createdBy().map(UUID::toString)))
            .toList(),
        page.next());
  }

  /**
   * Revokes one of the team's keys (a developer: one of their own); the next request with it is a
   * 401. Audited.
   */
  public DeletedReply revokeApiKey(Caller.Member member, String rawId, RequestId requestId) {
    UUID id;
    try {
      id = UUID.fromString(rawId);
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No such API key in this team.");
    }
    // Below admin, a member revokes only their own keys; another's is "not found" to them.
    Optional<UUID> ownedBy =
        member.role().atLeast(TeamRole.ADMIN)
            ? Optional.empty()
            : Optional.of(member.userId().orElse(new UUID(0, 0)));
    int revoked = identities.revokeApiKey(member.teamId(), id, ownedBy);
    if (revoked == 0) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No such API key in this team.");
    }
    audit.record(
        new AuditEvent(
            Optional.of(member.teamId()),
            AuditEvent.Actor.USER,
            AuditKind.API_KEY_REVOKED,
            Optional.empty(),
            Optional.empty(),
            "API key revoked",
            Map.of("api_key_id", id.toString(), "by", member.via(), "minted_from_it", revoked - 1),
            Optional.of(requestId.value())));
    return new DeletedReply(true, "API key " + id + " revoked.");
  }

  public WhoAmIReply whoami(Caller.Member member) {
    TeamRecord team = team(member);
    Optional<UserRecord> user = member.userId().flatMap(identities::user);
    return new WhoAmIReply(
        true,
        member.userId().map(UUID::toString),
        user.map(UserRecord::email),
        team.id().toString(),
        team.name(),
        team.planTier().wireName(),
        Optional.of(member.role().wireName()),
        List.copyOf(new TreeSet<>(member.scopes())),
        member.via(),
        member.apiKeyId().map(UUID::toString));
  }

  /**
   * Older clients: a new API key for the caller's team on every call. These keys expire (clients
   * mint them freely and compute days from {@code expires_in}, an integer number of seconds).
   */
  public LegacyTokenReply legacyToken(Caller.Member member, RequestId requestId) {
    requireSession(member);
    Instant expiresAt = clock.instant().plus(legacyKeyTtl).truncatedTo(ChronoUnit.SECONDS);
    ApiKeyReply issued =
        issueKey(
            member,
            "cli",
            Optional.of(expiresAt),
            List.copyOf(new TreeSet<>(member.scopes())),
            requestId);
    return new LegacyTokenReply(true, issued.key(), legacyKeyTtl.toSeconds(), expiresAt);
  }

  /**
   * A key that could mint keys would outlive any revocation of its own power: a leaked key could
   * replace itself before it is revoked.
   */
  private static void requireSession(Caller.Member member) {
    if (!member.isSession()) {
      throw new ApiException(
          ErrorCode.FORBIDDEN,
          "An API key cannot create API keys; sign in (POST /auth/email/start) and use the"
              + " session.");
    }
  }

  private ApiKeyReply issueKey(
      Caller.Member member,
      String name,
      Optional<Instant> expiresAt,
      List<String> scopes,
      RequestId requestId) {
    team(member);
    return insertKey(
        member.teamId(), member.userId(), name, expiresAt, scopes, "session", requestId);
  }

  /**
   * The key a CLI gets once its user approved it in a browser (the device flow): that user's, with
   * both scopes (the user's role still bounds it), living until revoked. Audited.
   */
  public ApiKeyReply issueDeviceKey(TeamId team, UUID user, String name, RequestId requestId) {
    return insertKey(
        team,
        Optional.of(user),
        name,
        Optional.empty(),
        List.of("read", "write"),
        "device_flow",
        requestId);
  }

  private ApiKeyReply insertKey(
      TeamId team,
      Optional<UUID> user,
      String name,
      Optional<Instant> expiresAt,
      List<String> scopes,
      String via,
      RequestId requestId) {
    String key = ApiKeys.generate();
    UUID id =
        identities.insertApiKey(
            new IdentityRepository.NewApiKey(
                team,
                user,
                name,
                ApiKeys.hash(key),
                expiresAt,
                scopes,
                Optional.of(ApiKeys.displayPrefix(key)),
                Optional.empty()));
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("api_key_id", id.toString());
    metadata.put("scopes", scopes);
    metadata.put("via", via);
    expiresAt.ifPresent(at -> metadata.put("expires_at", at.toString()));
    audit.record(
        new AuditEvent(
            Optional.of(team),
            AuditEvent.Actor.USER,
            AuditKind.API_KEY_CREATED,
            Optional.empty(),
            Optional.empty(),
            "API key '" + name + "' created",
            metadata,
            Optional.of(requestId.value())));
    return new ApiKeyReply(
        true, id.toString(), name, key, ApiKeys.displayPrefix(key), scopes, clock.instant());
  }

  private TeamRecord team(Caller.Member member) {
    return identities
        .team(member.teamId())
        .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "The team no longer exists."));
  }
}
