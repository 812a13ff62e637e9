package dev.instanode.api.auth;

import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.store.IdentityRepository;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.Set;

/** Turns the Authorization header into a {@link Caller}, or a 401. */
public final class Authenticator {
  /** What a read-only key may send: everything else changes something. */
  private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  private static final String CALLER_ATTRIBUTE = "instanode.caller";

  private final SessionTokens sessions;
  private final SessionRevocations revocations;
  private final IdentityRepository identities;
  private final ClientAddress addresses;
  private final KeyUses keyUses;

  public Authenticator(
      SessionTokens sessions,
      SessionRevocations revocations,
      IdentityRepository identities,
      ClientAddress addresses) {
    this.sessions = sessions;
    this.revocations = revocations;
    this.identities = identities;
    this.addresses = addresses;
    this.keyUses = new KeyUses(identities::touchApiKey, System::nanoTime);
  }

  /**
   * No header: anonymous. A header that does not authenticate: 401, never anonymous. Worked out
   * once a request: the role check before the handler and the handler share it.
   */
  public Caller optionalStrict(Context ctx) {
    Caller known = ctx.attribute(CALLER_ATTRIBUTE);
    if (known != null) {
      return known;
    }
    Caller caller = authenticate(ctx);
    ctx.attribute(CALLER_ATTRIBUTE, caller);
    return caller;
  }

  private Caller authenticate(Context ctx) {
    Optional<String> header = Optional.ofNullable(ctx.header("Authorization"));
    Fingerprint fingerprint = addresses.fingerprint(ctx);
    boolean changes = !READ_METHODS.contains(ctx.method().name());
    Optional<String> cookie = SessionCookie.read(ctx);
    if (header.filter(h -> !h.isBlank()).isEmpty() && cookie.isPresent()) {
      // A cookie that no longer authenticates (logged out, lapsed, revoked key) is a browser that
      // is signed out, not a bad request: the dashboard sends it to sign in again. A binding's key
      // never signs a browser in.
      return authenticate("Bearer " + cookie.get(), fingerprint)
          .filter(caller -> !limitedToOneResource(caller))
          .map(caller -> {
            requireScope(caller, changes);
            return caller;
          })
          .orElseGet(() -> new Caller.Anonymous(fingerprint));
    }
    Caller caller = resolveAny(header, fingerprint, changes);
    if (limitedToOneResource(caller) && !RoleGate.acceptsBindingKeys(ctx.routeRoles())) {
      throw bindingKeyRefused();
    }
    return caller;
  }

  /**
   * Whether the caller holds a binding's key, which reaches one resource's data routes and nothing
   * else.
   */
  private static boolean limitedToOneResource(Caller caller) {
    return caller instanceof Caller.Member m && m.limitedTo().isPresent();
  }

  private static ApiException bindingKeyRefused() {
    return new ApiException(
        ErrorCode.INSUFFICIENT_SCOPE,
        "This key belongs to one binding of one resource: it reaches only that resource's"
            + " /storage/{token} or /api/v1/webhooks/{token}/requests routes.");
  }

  /** Whether the request presents a credential: a bearer header, or the dashboard's cookie. */
  public boolean presentsCredentials(Context ctx) {
    String header = ctx.header("Authorization");
    return (header != null && !header.isBlank()) || SessionCookie.read(ctx).isPresent();
  }

  /**
   * The caller an {@code Authorization} header names, for a transport that is not a Javalin route
   * (the MCP endpoint): none is anonymous, a bad one a 401, a read-only key refused for an act that
   * changes something, and a binding's key refused (it reaches only its resource's routes).
   */
  public Caller resolve(Optional<String> authorization, Fingerprint fingerprint, boolean changes) {
    Caller caller = resolveAny(authorization, fingerprint, changes);
    if (limitedToOneResource(caller)) {
      throw bindingKeyRefused();
    }
    return caller;
  }

  private Caller resolveAny(
      Optional<String> authorization, Fingerprint fingerprint, boolean changes) {
    String header = authorization.orElse("");
    if (header.isBlank()) {
      return new Caller.Anonymous(fingerprint);
    }
    Caller caller =
        authenticate(header, fingerprint)
            .orElseThrow(() ->
                new ApiException(
                    ErrorCode.UNAUTHORIZED, "The bearer token is invalid, expired or revoked."));
    requireScope(caller, changes);
    return caller;
  }

  private static void requireScope(Caller caller, boolean changes) {
    if (caller instanceof Caller.Member m && !m.canWrite() && changes) {
      throw new ApiException(
          ErrorCode.INSUFFICIENT_SCOPE, "This API key is read-only: it may only GET.");
    }
  }

  /**
   * A member that may change things, for the few GET routes that hand out power: a connection URL
   * (its password writes), or a new API key.
   */
  public Caller.Member requiredWriter(Context ctx) {
    Caller.Member member = required(ctx);
    if (!member.canWrite()) {
      throw new ApiException(
          ErrorCode.INSUFFICIENT_SCOPE,
          "This API key is read-only: it cannot reveal credentials or mint keys.");
    }
    return member;
  }

  /**
   * Whether a caller authenticated earlier may still be served, for a stream that outlives its
   * request: false once its API key is revoked or expired, its session logged out, or its member
   * removed (or when that cannot be checked). An anonymous caller holds nothing to revoke.
   */
  public boolean stillValid(Caller caller) {
    if (!(caller instanceof Caller.Member m)) {
      return true;
    }
    try {
      if (m.apiKeyId().isPresent()) {
        return identities.apiKeyLive(m.apiKeyId().get());
      }
      return m.sessionId().map(jti -> !revocations.isRevoked(jti)).orElse(true)
          && m.userId().flatMap(u -> identities.memberRole(u, m.teamId())).isPresent();
    } catch (RuntimeException e) {
      return false;
    }
  }

  public Caller.Member required(Context ctx) {
    if (optionalStrict(ctx) instanceof Caller.Member member) {
      return member;
    }
    throw new ApiException(
        ErrorCode.UNAUTHORIZED,
        "This route needs Authorization: Bearer <session token or API key>.");
  }

  private Optional<Caller> authenticate(String header, Fingerprint fingerprint) {
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = header.substring(7).trim();
    if (ApiKeys.looksLikeKey(token)) {
      return identities
          .apiKeyByHash(ApiKeys.hash(token))
          .map(k -> {
            keyUses.used(k.id(), k.lastUsedAt());
            return new Caller.Member(
                fingerprint,
                k.teamId(),
                k.userId(),
                "api_key",
                k.scopes(),
                Optional.of(k.id()),
                k.role(),
                Optional.empty(),
                k.limitedTo());
          });
    }
    // A session is good until logged out, while its user is still in its team, with the role they
    // hold now.
    return sessions
        .verify(token)
        .filter(s -> !revocations.isRevoked(s.jti()))
        .flatMap(s ->
            identities
                .memberRole(s.userId(), s.teamId())
                .map(role ->
                    new Caller.Member(
                        fingerprint,
                        s.teamId(),
                        Optional.of(s.userId()),
                        "session",
                        Caller.Member.ALL_SCOPES,
                        Optional.empty(),
                        role,
                        Optional.of(s.jti()),
                        Optional.empty())));
  }
}
