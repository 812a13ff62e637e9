package dev.instanode.api.identity;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.wire.ApiKeyReply;
import dev.instanode.api.wire.ApiKeyRequest;
import dev.instanode.api.wire.LegacyTokenReply;
import dev.instanode.api.wire.MeReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.DisplayNames;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.RequestId;
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
import java.util.Map;
import java.util.Optional;
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

  /** A named key that does not expire, shown once. */
  public ApiKeyReply createApiKey(
      Caller.Member member, ApiKeyRequest request, RequestId requestId) {
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
    return issueKey(member, DisplayNames.normalize(name), Optional.empty(), requestId);
  }

  /**
   * Older clients: a new API key for the caller's team on every call. These keys expire (clients
   * mint them freely and compute days from {@code expires_in}, an integer number of seconds).
   */
  public LegacyTokenReply legacyToken(Caller.Member member, RequestId requestId) {
    Instant expiresAt = clock.instant().plus(legacyKeyTtl).truncatedTo(ChronoUnit.SECONDS);
    ApiKeyReply issued = issueKey(member, "cli", Optional.of(expiresAt), requestId);
    return new LegacyTokenReply(true, issued.key(), legacyKeyTtl.toSeconds(), expiresAt);
  }

  private ApiKeyReply issueKey(
      Caller.Member member, String name, Optional<Instant> expiresAt, RequestId requestId) {
    team(member);
    String key = ApiKeys.generate();
    UUID id =
        identities.insertApiKey(
            member.teamId(), member.userId(), name, ApiKeys.hash(key), expiresAt);
    audit.record(
        new AuditEvent(
            Optional.of(member.teamId()),
            AuditEvent.Actor.USER,
            AuditKind.API_KEY_CREATED,
            Optional.empty(),
            Optional.empty(),
            "API key '" + name + "' created",
            expiresAt
                .<Map<String, Object>>map(
                    at -> Map.of("api_key_id", id.toString(), "expires_at", at.toString()))
                .orElse(Map.of("api_key_id", id.toString())),
            Optional.of(requestId.value())));
    return new ApiKeyReply(true, id.toString(), name, key, clock.instant());
  }

  private TeamRecord team(Caller.Member member) {
    return identities
        .team(member.teamId())
        .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "The team no longer exists."));
  }
}
