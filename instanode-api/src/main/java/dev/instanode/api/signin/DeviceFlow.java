package dev.instanode.api.signin;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.identity.IdentityService;
import dev.instanode.api.wire.ApiKeyReply;
import dev.instanode.api.wire.DeviceStartReply;
import dev.instanode.api.wire.DeviceTokenReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.DisplayNames;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import dev.instanode.core.RequestId;
import dev.instanode.core.TeamRole;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.UserRecord;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * CLI sign-in by the device flow (RFC 8628): the CLI asks for a code, its person approves it in a
 * browser after signing in by email (or with a session through the API), and the CLI's next poll
 * gets an API key of that person's, made once.
 */
public final class DeviceFlow {
  private final DeviceCodes codes;
  private final EmailSignIn signIn;
  private final IdentityService identity;
  private final IdentityRepository identities;
  private final String publicBaseUrl;

  public DeviceFlow(
      DeviceCodes codes,
      EmailSignIn signIn,
      IdentityService identity,
      IdentityRepository identities,
      String publicBaseUrl) {
    this.codes = codes;
    this.signIn = signIn;
    this.identity = identity;
    this.identities = identities;
    this.publicBaseUrl = publicBaseUrl;
  }

  /**
   * {@code POST /auth/cli}, with the name the CLI gives its device (its host name, say), which the
   * approval page shows and the key it gets is named after.
   */
  public DeviceStartReply start(Optional<String> deviceName) {
    deviceName.ifPresent(name ->
        DisplayNames.problem(name)
            .ifPresent(p -> {
              throw new ApiException(ErrorCode.INVALID_NAME, "The device_name " + p + ".");
            }));
    DeviceCodes.Started started = codes.start(deviceName.map(DisplayNames::normalize));
    String page = publicBaseUrl + "/auth/cli/verify";
    return new DeviceStartReply(
        true,
        started.deviceCode(),
        started.userCode(),
        page,
        page + "?code=" + started.userCode(),
        DeviceCodes.INTERVAL_SECONDS,
        DeviceCodes.LIFETIME.toSeconds());
  }

  /** The name the pending sign-in's device gave, for the page that approves it. */
  public Optional<String> deviceName(String userCode) {
    return DeviceCodes.normalize(userCode).flatMap(codes::deviceName);
  }

  /** {@code POST /auth/cli/token}: the RFC's answers, or the key. */
  public DeviceTokenReply token(String deviceCode, RequestId requestId) {
    if (deviceCode == null || deviceCode.isBlank() || deviceCode.length() > 100) {
      throw new ApiException(ErrorCode.EXPIRED_TOKEN, "No such CLI sign-in.");
    }
    return switch (codes.poll(deviceCode)) {
      case DeviceCodes.Poll.Pending p ->
          throw new ApiException(
              ErrorCode.AUTHORIZATION_PENDING,
              "Not approved yet.",
              OptionalInt.of(p.interval()),
              null);
      case DeviceCodes.Poll.SlowDown s ->
          throw new ApiException(
              ErrorCode.SLOW_DOWN,
              "Polled too often; wait " + s.interval() + " s between polls.",
              OptionalInt.of(s.interval()),
              null);
      case DeviceCodes.Poll.Denied d ->
          throw new ApiException(ErrorCode.ACCESS_DENIED, "The sign-in was denied.");
      case DeviceCodes.Poll.Expired e ->
          throw new ApiException(
              ErrorCode.EXPIRED_TOKEN, "This CLI sign-in expired or was already used.");
      case DeviceCodes.Poll.Approved a -> {
        // Still a member who may make keys, in an active team, when the key is made.
        if (!identities
            .memberRole(a.user(), a.team())
            .map(r -> r.atLeast(TeamRole.DEVELOPER))
            .orElse(false)) {
          throw new ApiException(
              ErrorCode.EXPIRED_TOKEN, "The person who approved it can no longer make keys.");
        }
        ApiKeyReply key =
            identity.issueDeviceKey(
                a.team(),
                a.user(),
                a.deviceName().map(name -> "cli: " + name).orElse("cli device"),
                requestId);
        yield new DeviceTokenReply(
            true, key.key(), key.id(), key.prefix(), a.team().toString(), a.user().toString());
      }
    };
  }

  /** {@code POST /auth/cli/approve} with a session: approves (or denies) the code for its user. */
  public boolean decide(Caller.Member member, String rawCode, boolean approve) {
    if (!member.isSession() || member.userId().isEmpty()) {
      throw new ApiException(
          ErrorCode.FORBIDDEN, "A CLI sign-in is approved by a signed-in person, not a key.");
    }
    String code = code(rawCode);
    boolean done =
        approve ? codes.approve(code, member.teamId(), member.userId().get()) : codes.deny(code);
    if (!done) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No pending CLI sign-in with that code.");
    }
    return approve;
  }

  /** The page's email step: a link to this page, for the code, to the address. */
  public void sendLink(String rawCode, String email, Fingerprint network) {
    signIn.start(email, network, Optional.of(code(rawCode)));
  }

  /** The page's last step: the link proves the person, who approves or denies the code. */
  public boolean decideWithLink(
      String typed, String expected, String link, boolean approve, RequestId requestId) {
    String code = code(expected);
    // The person types the code their own terminal shows: a code someone else started and sent
    // them a link for is one they cannot type. Checked before the link is used up.
    if (approve && !DeviceCodes.normalize(typed).map(code::equals).orElse(false)) {
      throw new ApiException(
          ErrorCode.NOT_FOUND,
          "That is not the code of this sign-in; type the code your own terminal shows.");
    }
    UserRecord user = signIn.redeem(link, "device_flow", requestId);
    // The CLI gets a key, and a viewer makes none (as with POST /api/v1/auth/api-keys).
    if (!TeamRole.fromStored(user.role()).atLeast(TeamRole.DEVELOPER)) {
      throw new ApiException(
          ErrorCode.FORBIDDEN_ROLE,
          "Your role in this team is viewer; a CLI key needs developer or above.");
    }
    boolean done = approve ? codes.approve(code, user.teamId(), user.id()) : codes.deny(code);
    if (!done) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No pending CLI sign-in with that code.");
    }
    return approve;
  }

  static String code(String raw) {
    return DeviceCodes.normalize(raw)
        .orElseThrow(
            () -> new ApiException(ErrorCode.NOT_FOUND, "No pending CLI sign-in with that code."));
  }
}
