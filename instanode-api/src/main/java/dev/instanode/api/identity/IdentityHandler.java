package dev.instanode.api.identity;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.DisplayNames;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.TeamRecord;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** {@code GET /auth/me}, API key creation, and the older {@code GET /api/me/token}. */
public final class IdentityHandler {

  private final Authenticator auth;
  private final IdentityRepository identities;
  private final JsonBodies bodies;
  private final AuditLog audit;
  private final Clock clock;
  private final Duration legacyKeyTtl;

  /**
   * @param legacyKeyTtl lifetime of the keys {@code GET /api/me/token} mints
   */
  public IdentityHandler(
      Authenticator auth,
      IdentityRepository identities,
      JsonBodies bodies,
      AuditLog audit,
      Clock clock,
      Duration legacyKeyTtl) {
    this.auth = auth;
    this.identities = identities;
    this.bodies = bodies;
    this.audit = audit;
    this.clock = clock;
    this.legacyKeyTtl = legacyKeyTtl;
  }

  public void me(Context ctx) {
    Caller.Member member = auth.required(ctx);
    TeamRecord team = team(member);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", true);
    body.put("user_id", member.userId().map(UUID::toString).orElse(null));
    body.put("team_id", team.id().toString());
    body.put("email", member.userId().flatMap(identities::user).map(u -> u.email()).orElse(null));
    body.put("tier", team.planTier().wireName());
    ctx.json(body);
  }

  public void createApiKey(Context ctx) {
    Caller.Member member = auth.required(ctx);
    JsonNode name = bodies.object(ctx).get("name");
    if (name == null || name.isNull() || (name.isString() && name.asString().isBlank())) {
      throw new ApiException(ErrorCode.NAME_REQUIRED, "A \"name\" of 1-64 characters is required.");
    }
    if (!name.isString()) {
      throw new ApiException(ErrorCode.INVALID_NAME, "The \"name\" must be a string.");
    }
    DisplayNames.problem(name.asString())
        .ifPresent(p -> {
          throw new ApiException(ErrorCode.INVALID_NAME, "The key name " + p + ".");
        });
    Map<String, Object> body =
        issueKey(ctx, member, DisplayNames.normalize(name.asString()), Optional.empty());
    ctx.status(201).json(body);
  }

  /**
   * Older clients: a new API key for the caller's team on every call. These keys expire (clients
   * mint them freely and compute days from {@code expires_in}, an integer number of seconds).
   */
  public void legacyToken(Context ctx) {
    Caller.Member member = auth.required(ctx);
    Instant expiresAt = clock.instant().plus(legacyKeyTtl).truncatedTo(ChronoUnit.SECONDS);
    Map<String, Object> issued = issueKey(ctx, member, "cli", Optional.of(expiresAt));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", true);
    body.put("token", issued.get("key"));
    body.put("expires_in", legacyKeyTtl.toSeconds());
    body.put("expires_at", expiresAt);
    ctx.json(body);
  }

  private Map<String, Object> issueKey(
      Context ctx, Caller.Member member, String name, Optional<Instant> expiresAt) {
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
            Optional.of(RequestContext.id(ctx).value())));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", true);
    body.put("id", id.toString());
    body.put("name", name);
    body.put("key", key);
    body.put("created_at", clock.instant());
    return body;
  }

  private TeamRecord team(Caller.Member member) {
    return identities
        .team(member.teamId())
        .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "The team no longer exists."));
  }
}
