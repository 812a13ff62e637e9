package dev.instanode.core;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * Every error code the HTTP surface can return, with its status and the sentence an AI agent should
 * relay to its user. Nothing returns an error code that is not listed here.
 */
public enum ErrorCode {
  INVALID_BODY(400, "Tell the user the request body was not valid JSON; fix the JSON and retry."),
  NAME_REQUIRED(400, "Tell the user a \"name\" field is required; add one and retry."),
  INVALID_NAME(
      400,
      "Tell the user the name is not allowed: a resource name is 1-64 letters, digits, spaces, '_'"
          + " or '-', starting with a letter or digit; a key or team name is 1-64 characters with"
          + " no control or invisible characters."),
  INVALID_ENV(
      400,
      "Tell the user \"env\" must be 1-32 characters of lower-case letters, digits or '-',"
          + " e.g. \"development\"."),
  UNSUPPORTED_MEDIA_TYPE(
      415,
      "Tell the user to send the body as JSON with the header Content-Type: application/json."),
  PAYLOAD_TOO_LARGE(413, "Tell the user the request body is over 1 MiB; send a smaller body."),
  NOT_FOUND(404, "Tell the user the URL or resource does not exist; check the path and token."),
  METHOD_NOT_ALLOWED(405, "Tell the user this HTTP method is not supported on this URL."),
  UNAUTHORIZED(
      401,
      "Tell the user the credentials were missing or invalid; sign in again or use a valid key."),
  SERVICE_DISABLED(
      503, "Tell the user this service is not enabled on this instanode; use another service."),
  PROVISION_FAILED(
      503, "Tell the user provisioning failed and nothing was created; retry in a few seconds."),
  PROVISIONER_UNAVAILABLE(
      503,
      "Tell the user the provisioning backend is temporarily unavailable; retry in about 30 seconds."),
  PROVISION_LIMIT_REACHED(
      429,
      "Tell the user the free daily limit of anonymous resources is used up: reuse the resource"
          + " from the earlier response, or claim it into an account (its upgrade link) to lift"
          + " the limit, or retry after retry_after_seconds."),
  INVALID_IDEMPOTENCY_KEY(
      400,
      "Tell the user the Idempotency-Key header must be at most 255 characters, and at least 16"
          + " without an account: send a random UUID."),
  IDEMPOTENCY_KEY_CONFLICT(
      409,
      "Tell the user this Idempotency-Key was already used with a different body; use a new key."),
  IDEMPOTENCY_KEY_IN_PROGRESS(
      409,
      "Tell the user a request with this Idempotency-Key is still running; retry in a few"
          + " seconds to get its result."),
  INVALID_EMAIL(400, "Tell the user to give a valid email address, like name@example.com."),
  INVALID_TOKEN(
      400,
      "Tell the user the claim token is invalid or expired; provision again to get a new one."),
  // The same wire code where the token is a credential being presented (the preview link).
  UNVERIFIED_TOKEN(
      401,
      "invalid_token",
      "Tell the user the claim link is invalid or expired; provision again to get a new one."),
  PAID_TIER_ONLY(
      403,
      "Tell the user free-tier resources cannot be deleted, they expire on their own; upgrade the"
          + " team (upgrade_url) to delete resources."),
  ALREADY_CLAIMED(
      409, "Tell the user these resources were already claimed; sign in to the account instead."),
  ACCOUNT_EXISTS(
      409, "Tell the user an account with this email exists; sign in and claim with its API key."),
  INVALID_TIER(400, "Tell the user the tier must be one of the plans in /api/v1/capabilities."),
  INVALID_QUERY(400, "Tell the user a query parameter is malformed; check limit and cursor."),
  INVALID_FORWARDED_FOR(
      400,
      "Tell the user the proxy in front of instanode sent a Forwarded or X-Forwarded-For header"
          + " with no usable client address; the proxy's configuration needs fixing."),
  DEPROVISION_FAILED(
      503,
      "Tell the user the resource is being deleted but its teardown has not finished; it will be"
          + " retried, and retrying the delete in a minute finishes it too."),
  RESOURCE_BUSY(
      503, "Tell the user the resource is busy with another change; retry in a few seconds."),
  BAD_REQUEST(
      400,
      "Tell the user the HTTP request itself was malformed (its request line, headers or"
          + " framing); send a standard HTTP/1.1 request."),
  INVALID_PATH(
      400,
      "Tell the user the URL path has a malformed %-escape or a control character; check the"
          + " URL."),
  URI_TOO_LONG(414, "Tell the user the URL is too long; shorten it."),
  HEADERS_TOO_LARGE(431, "Tell the user the request headers are too large; send fewer or smaller."),
  REQUEST_TIMEOUT(
      408, "Tell the user the request was not sent in time; send it again without pausing."),
  UPGRADE_REQUIRED(426, "Tell the user to speak HTTP/1.1 to this server."),
  HTTP_VERSION_NOT_SUPPORTED(505, "Tell the user to speak HTTP/1.1 to this server."),
  FORBIDDEN(
      403,
      "Tell the user this caller may not do that: a stack may only use resources its own caller"
          + " owns (an anonymous stack, the anonymous resources this agent received), and only a"
          + " signed-in session (POST /auth/email/start), never an API key, creates API keys."),
  INVALID_MANIFEST(
      400,
      "Tell the user the stack manifest is not valid; the message names the field to fix (see"
          + " services.<name>.image, port, expose, needs, env)."),
  INVALID_ENV_KEY(
      400,
      "Tell the user env keys must be upper-case letters, digits and '_', not starting with a"
          + " digit (like DATABASE_URL); rename the key and retry."),
  BUILD_NOT_SUPPORTED(
      400,
      "Tell the user instanode does not build images yet: push the image to a registry and give"
          + " it as services.<name>.image instead of build."),
  DEPLOYMENT_LIMIT_REACHED(
      402,
      "Tell the user the team runs as many stacks as its plan allows; delete one or upgrade the"
          + " plan (upgrade_url)."),
  STACKS_UNAVAILABLE(
      503,
      "Tell the user this instanode runs no Kubernetes cluster, so stacks are not available"
          + " here; resources (/db/new, /cache/new) still are."),
  CLUSTER_UNAVAILABLE(
      503,
      "Tell the user the Kubernetes cluster did not answer; nothing was changed. Retry after"
          + " retry_after_seconds."),
  WEBHOOK_BODY_TOO_LARGE(
      413,
      "Tell the user the body is larger than this webhook receiver's plan stores (see"
          + " /api/v1/capabilities); the sender should send less, or the owner upgrade."),
  INVALID_SIGNATURE(
      401,
      "Tell the user the sender's X-Hub-Signature-256 does not match the receiver's signing secret;"
          + " check the secret set on both sides."),
  WEBHOOK_RATE_LIMITED(
      429,
      "Tell the user this webhook receiver got more requests this minute than its plan stores;"
          + " the sender should retry after retry_after_seconds, or the owner upgrade."),
  STREAM_LIMIT_REACHED(
      429,
      "Tell the user this receiver already has as many live streams open as it allows; close one,"
          + " or read GET /api/v1/webhooks/{token}/requests instead."),
  NOT_ROTATABLE(
      409,
      "Tell the user this kind of resource has no password to rotate (a webhook receiver's URL is"
          + " its token); delete it and make a new one to change its URL."),
  RESOURCE_PENDING(
      409,
      "Tell the user the resource's own server is still starting; poll GET"
          + " /api/v1/resources/{token} until its status is active (or failed), then retry."),
  STACK_DELETING(
      409, "Tell the user the stack is being deleted; create a new stack instead of changing it."),
  ENV_TOO_LARGE(
      413, "Tell the user the stack's env would be over 64 KiB; remove some keys and retry."),
  STACK_BUSY(
      503, "Tell the user the stack is busy with another change; retry after retry_after_seconds."),
  SERVICE_UNAVAILABLE(
      503, "Tell the user instanode is busy or starting; retry after retry_after_seconds."),
  STORAGE_UNAVAILABLE(
      503,
      "service_unavailable",
      "Tell the user object storage is off on this instanode: the operator sets S3_ENDPOINT,"
          + " S3_ACCESS_KEY and S3_SECRET_KEY (instanode dev embeds a store) and restarts; use"
          + " another service meanwhile."),
  QUEUE_UNAVAILABLE(
      503,
      "service_unavailable",
      "Tell the user queues are off on this instanode: the operator installs nats-server (apt-get"
          + " install nats-server) and restarts instanode; use another service meanwhile."),
  INVALID_OBJECT_KEY(
      400,
      "Tell the user the key must be a relative path under the storage prefix: no leading /, no"
          + " . or .. segments, no empty segments, no backslashes or percent-escapes."),
  INVALID_PRESIGN(
      400,
      "Tell the user method must be GET, PUT or DELETE, expires_in 1 to 3600 seconds, and"
          + " content_length (PUT only) a whole number of bytes."),
  STORAGE_LIMIT_REACHED(
      402,
      "Tell the user this upload would take the storage over its plan's storage_mb: delete"
          + " objects (a presigned DELETE) or upgrade the plan."),
  INSUFFICIENT_SCOPE(
      403,
      "Tell the user this API key is read-only (scope read): use a key with the write scope, or"
          + " create one from a signed-in session."),
  INVALID_SCOPES(400, "Tell the user scopes must be a non-empty list of \"read\" and \"write\"."),
  QUEUE_LIMIT_REACHED(
      402,
      "Tell the user the team holds as many queues as its plan allows (see /api/v1/capabilities);"
          + " delete one, or upgrade the plan."),
  PRESIGN_RATE_LIMITED(
      429,
      "Tell the user this storage asked for more presigned URLs this minute than its plan allows;"
          + " retry after retry_after_seconds, or reuse a URL until it expires."),
  FORBIDDEN_ROLE(
      403,
      "Tell the user their role in this team does not allow this (viewers read, developers manage"
          + " resources and stacks, admins also members and keys, owners also delete the team);"
          + " ask an admin or owner."),
  INVALID_ROLE(400, "Tell the user \"role\" must be one of owner, admin, developer or viewer."),
  LAST_OWNER(
      409,
      "Tell the user a team always keeps an owner: make another member owner before removing or"
          + " demoting this one."),
  MEMBER_LIMIT_REACHED(
      402,
      "Tell the user the team has as many members and pending invitations as its plan allows"
          + " (team_members in /api/v1/capabilities); remove a member, revoke an invitation, or"
          + " upgrade the plan."),
  ALREADY_MEMBER(
      409, "Tell the user this email is already a member of the team or has a pending invitation."),
  INVITATION_EXPIRED(
      410, "Tell the user this invitation has expired or was revoked; ask the team for a new one."),
  INVITATION_USED(
      410, "Tell the user this invitation was already accepted; sign in by email instead."),
  INVITATION_EMAIL_MISMATCH(
      403,
      "Tell the user this invitation was sent to another email address; sign out or accept it"
          + " from that address's mailbox."),
  INVALID_LINK(
      400,
      "Tell the user the sign-in link is invalid, used or older than 15 minutes; ask for a new"
          + " one with POST /auth/email/start."),
  SIGN_IN_RATE_LIMITED(
      429,
      "Tell the user too many sign-in links were asked for; wait retry_after_seconds and use the"
          + " newest link already sent."),
  MAIL_UNAVAILABLE(
      503,
      "Tell the user this instanode cannot send email (SMTP_URL is not set); an operator must"
          + " configure mail."),
  INVALID_SETTINGS(
      400,
      "Tell the user team settings are a JSON object of at most 32 keys (lower-case letters,"
          + " digits, '_') with string, number or boolean values, 4 KiB in all."),
  VAULT_LIMIT_REACHED(
      402,
      "Tell the user the team keeps as many vault entries as its plan allows (vault.entries in"
          + " /api/v1/capabilities); delete one, or upgrade the plan."),
  INVALID_VAULT_KEY(
      400,
      "Tell the user a vault key is 1-128 characters of upper-case letters, digits and '_',"
          + " not starting with a digit (an env var name), and a value a string of at most 32 KiB."),
  VAULT_REQUIRES_AUTH(
      403,
      "Tell the user vault:// references need a team: sign in or use an API key, and store the"
          + " secret with PUT /api/v1/vault/{env}/{key}."),
  VAULT_REF_FAILED(
      400,
      "Tell the user a vault:// reference names a key the team's vault does not hold in the"
          + " stack's env; store it first (PUT /api/v1/vault/{env}/{key})."),
  CONFIRMATION_REQUIRED(
      400,
      "Tell the user deleting a team destroys every resource, stack and secret it holds and cannot"
          + " be undone; to go ahead, send {\"confirm\": \"<the team's exact name>\"}."),
  // RFC 8628's answers to a device polling for its token.
  AUTHORIZATION_PENDING(
      400,
      "Tell the user to open verification_url, sign in and approve the code shown; keep polling"
          + " every interval seconds."),
  SLOW_DOWN(
      400,
      "Tell the user the CLI polled too often; it should wait retry_after_seconds (the interval,"
          + " grown by 5 s) between polls."),
  EXPIRED_TOKEN(
      400,
      "Tell the user the CLI sign-in expired or was already used; start again with POST /auth/cli."),
  ACCESS_DENIED(
      400,
      "Tell the user the CLI sign-in was denied in the browser; start again if it was a mistake."),
  // The same wire code as HTTP's 426, for a feature a paid plan has.
  PLAN_UPGRADE_REQUIRED(
      402,
      "upgrade_required",
      "Tell the user this feature is not in the team's plan (see /api/v1/capabilities); upgrade"
          + " at upgrade_url to use it."),
  INTERNAL_ERROR(
      500, "Tell the user instanode hit an unexpected error; retry, and report the request_id.");

  private final int httpStatus;
  private final String wire;
  private final String agentAction;

  ErrorCode(int httpStatus, String agentAction) {
    this(httpStatus, null, agentAction);
  }

  ErrorCode(int httpStatus, String wire, String agentAction) {
    this.httpStatus = httpStatus;
    this.wire = wire == null ? name().toLowerCase(Locale.ROOT) : wire;
    this.agentAction = agentAction;
  }

  /**
   * The code for an error the HTTP server raised before any route ran (Jetty's framing checks,
   * Javalin's 404/405): the closest listed code, never an unlisted one.
   */
  public static ErrorCode forStatus(int status) {
    return switch (status) {
      case 400 -> BAD_REQUEST;
      case 401 -> UNAUTHORIZED;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 408 -> REQUEST_TIMEOUT;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 414 -> URI_TOO_LONG;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 426 -> UPGRADE_REQUIRED;
      case 431 -> HEADERS_TOO_LARGE;
      case 503 -> SERVICE_UNAVAILABLE;
      case 505 -> HTTP_VERSION_NOT_SUPPORTED;
      default -> status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL_ERROR;
    };
  }

  public String code() {
    return wire;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String agentAction() {
    return agentAction;
  }

  /** Default back-off hint for clients: 30 s on 503, 60 s on 429, none otherwise. */
  public OptionalInt defaultRetryAfterSeconds() {
    return switch (httpStatus) {
      case 503 -> OptionalInt.of(30);
      case 429 -> OptionalInt.of(60);
      default -> OptionalInt.empty();
    };
  }
}
