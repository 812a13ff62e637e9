package dev.instanode.api.signin;

import dev.instanode.api.auth.SessionRevocations;
import dev.instanode.api.auth.SessionTokens;
import dev.instanode.api.mail.Mail;
import dev.instanode.api.mail.MailOutbox;
import dev.instanode.api.redis.PlatformRedis;
import dev.instanode.api.wire.SessionReply;
import dev.instanode.api.wire.SignInStartedReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.EmailAddresses;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.RequestId;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.core.auth.OneTimeTokens;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.MagicLinkRepository;
import dev.instanode.store.UserRecord;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * Sign-in without a password: a one-time link mailed to the address, good for 15 minutes. The
 * answer to asking for one is the same, in body and in time, whether the address has an account or
 * not: looking it up, storing the link and sending it all happen after the reply, on the mail
 * outbox. Asking is limited per address and per network.
 */
public final class EmailSignIn {
  public static final Duration LINK_LIFETIME = Duration.ofMinutes(15);
  // An address from one network: what its owner needs. An address from anywhere: enough that a
  // stranger asking from one network cannot lock its owner out. A network: any addresses.
  static final int PER_EMAIL_AND_NETWORK_PER_HOUR = 5;
  static final int PER_EMAIL_PER_HOUR = 20;
  static final int PER_NETWORK_PER_HOUR = 20;

  private final IdentityRepository identities;
  private final MagicLinkRepository links;
  private final Optional<MailOutbox> mail;
  private final PlatformRedis redis;
  private final SessionTokens sessions;
  private final SessionRevocations revocations;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final String publicBaseUrl;
  private final Clock clock;

  public EmailSignIn(
      IdentityRepository identities,
      MagicLinkRepository links,
      Optional<MailOutbox> mail,
      PlatformRedis redis,
      SessionTokens sessions,
      SessionRevocations revocations,
      AuditLog audit,
      MeterRegistry meters,
      String publicBaseUrl,
      Clock clock) {
    this.identities = identities;
    this.links = links;
    this.mail = mail;
    this.redis = redis;
    this.sessions = sessions;
    this.revocations = revocations;
    this.audit = audit;
    this.meters = meters;
    this.publicBaseUrl = publicBaseUrl;
    this.clock = clock;
  }

  /**
   * {@code POST /auth/email/start}: 202 whether or not the address has an account. With {@code
   * deviceCode}, the link leads to the page that approves that CLI sign-in instead.
   */
  public SignInStartedReply start(
      String rawEmail, Fingerprint network, Optional<String> deviceCode) {
    return start(rawEmail, network, deviceCode, false);
  }

  /**
   * The same for the dashboard: the link opens its page ({@value #DASHBOARD_LANDING}), which signs
   * the browser in with a session cookie.
   */
  public SignInStartedReply startForDashboard(String rawEmail, Fingerprint network) {
    return start(rawEmail, network, Optional.empty(), true);
  }

  /** Where a dashboard sign-in link lands. */
  public static final String DASHBOARD_LANDING = "/app/signin/verify";

  private SignInStartedReply start(
      String rawEmail, Fingerprint network, Optional<String> deviceCode, boolean dashboard) {
    String email = EmailAddresses.require(rawEmail);
    MailOutbox outbox =
        mail.orElseThrow(() ->
            new ApiException(
                ErrorCode.MAIL_UNAVAILABLE, "Sign-in links are mailed, and mail is not set up."));
    // Counted before anything else, for every address: a limit reached says nothing about one.
    String address = ApiKeys.hash(email);
    limit("email_network", address + ":" + network.value(), PER_EMAIL_AND_NETWORK_PER_HOUR);
    limit("email", address, PER_EMAIL_PER_HOUR);
    limit("network", network.value(), PER_NETWORK_PER_HOUR);
    outbox.postLater("magic_link", () -> link(email, deviceCode, dashboard));
    return new SignInStartedReply(
        true,
        "If "
            + email
            + " has an account, a sign-in link is on its way; it works once, for 15"
            + " minutes.");
  }

  private void limit(String scope, String key, int perHour) {
    Optional<Long> count =
        redis.count("magic_link_limit", "signin:" + scope + ":" + key, Duration.ofHours(1));
    if (count.isPresent() && count.get() > perHour) {
      meters.counter("instant_magic_link_limited_total", "scope", scope).increment();
      throw new ApiException(
          ErrorCode.SIGN_IN_RATE_LIMITED,
          "Too many sign-in links were asked for from this "
              + switch (scope) {
                case "email" -> "address";
                case "network" -> "network";
                default -> "address from this network";
              }
              + " in the last hour.");
    }
  }

  /** Runs on the outbox: the message, or nothing for an address without an account. */
  private Optional<Mail> link(String email, Optional<String> deviceCode, boolean dashboard) {
    Optional<UserRecord> user = identities.userByEmail(email);
    if (user.isEmpty()) {
      return Optional.empty();
    }
    String token = OneTimeTokens.magicLink();
    links.insert(user.get().id(), ApiKeys.hash(token), clock.instant().plus(LINK_LIFETIME));
    if (deviceCode.isPresent()) {
      return Optional.of(
          new Mail(
              email,
              "Approve your instanode CLI sign-in",
              "Someone asked to sign in the instanode CLI as you. If it was you, open this link"
                  + " and type the code your terminal shows (it works once, for 15 minutes):\n"
                  + publicBaseUrl
                  + "/auth/cli/verify?code="
                  + deviceCode.get()
                  + "&link="
                  + token
                  + "\n\nIf it was not you, ignore this message: nothing happens without the"
                  + " code.\n",
              "magic_link"));
    }
    if (dashboard) {
      return Optional.of(
          new Mail(
              email,
              "Your instanode sign-in link",
              "Open your instanode dashboard (the link works once, for 15 minutes):\n"
                  + publicBaseUrl
                  + DASHBOARD_LANDING
                  + "?token="
                  + token
                  + "\n\nIf you did not ask to sign in, ignore this message.\n",
              "magic_link"));
    }
    return Optional.of(
        new Mail(
            email,
            "Your instanode sign-in link",
            "Sign in to instanode (works once, for 15 minutes):\n"
                + publicBaseUrl
                + "/auth/email/verify?token="
                + token
                + "\n\nFrom a terminal or an agent:\ncurl -X POST "
                + publicBaseUrl
                + "/auth/email/verify -H 'Content-Type: application/json' -d '{\"token\":\""
                + token
                + "\"}'\n\nIf you did not ask to sign in, ignore this message.\n",
            "magic_link"));
  }

  /** {@code POST /auth/email/verify}: a session, once per link. */
  public SessionReply verify(String token, RequestId requestId) {
    UserRecord user = redeem(token, "magic_link", requestId);
    Instant expiresAt =
        clock.instant().plus(SessionTokens.LIFETIME).truncatedTo(ChronoUnit.SECONDS);
    String session = sessions.issue(user.id(), user.teamId(), user.email());
    return new SessionReply(
        true,
        session,
        expiresAt,
        user.id().toString(),
        user.teamId().toString(),
        user.email(),
        user.role());
  }

  /**
   * Uses a link: its user, their address now verified, the sign-in audited {@code auth.login} with
   * {@code method}; 400 {@code invalid_link} when it is unknown, used or lapsed.
   */
  public UserRecord redeem(String token, String method, RequestId requestId) {
    if (!OneTimeTokens.looksLikeMagicLink(token)) {
      throw invalid();
    }
    UserRecord user =
        links
            .consume(ApiKeys.hash(token))
            .flatMap(identities::user)
            .orElseThrow(EmailSignIn::invalid);
    identities.markEmailVerified(user.id());
    audit.record(
        new AuditEvent(
            Optional.of(user.teamId()),
            AuditEvent.Actor.USER,
            AuditKind.AUTH_LOGIN,
            Optional.empty(),
            Optional.empty(),
            "Signed in with an email link",
            Map.of("user_id", user.id().toString(), "method", method),
            Optional.of(requestId.value())));
    return user;
  }

  /**
   * {@code POST /auth/logout}: ends the presented session for good. Answers 200 for no session or
   * an API key too (nothing to end), but never for a logout that did not happen.
   */
  public boolean logout(Optional<String> bearer, RequestId requestId) {
    Optional<SessionTokens.Session> session = bearer.flatMap(sessions::verify);
    if (session.isEmpty()) {
      return false;
    }
    revocations.revoke(session.get().jti(), session.get().expiresAt());
    audit.record(
        new AuditEvent(
            Optional.of(session.get().teamId()),
            AuditEvent.Actor.USER,
            AuditKind.AUTH_LOGOUT,
            Optional.empty(),
            Optional.empty(),
            "Signed out",
            Map.of("user_id", session.get().userId().toString()),
            Optional.of(requestId.value())));
    return true;
  }

  private static ApiException invalid() {
    return new ApiException(
        ErrorCode.INVALID_LINK, "The sign-in link is invalid, used, or older than 15 minutes.");
  }
}
