package dev.instanode.api.webhooks;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.Pages;
import dev.instanode.api.redis.PlatformRedis;
import dev.instanode.api.resources.TokenCredential;
import dev.instanode.api.wire.WebhookReceivedReply;
import dev.instanode.api.wire.WebhookRequestsReply;
import dev.instanode.api.wire.WebhookSettingsReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.crypto.Secrets;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.WebhookRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook receivers: storing what a sender sends (bounded by the receiver's plan: body size,
 * requests a minute, requests kept) and reading it back. Nothing here reaches a provisioner: a
 * receiver's requests are platform rows, dropped with the receiver through the provisioner's
 * chokepoint.
 */
public final class WebhookService {
  /** Never stored: they describe the hop to us, not what the sender sent. */
  static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");

  /** Stored with their values masked: a receiver's reader need not be trusted with them. */
  static final Set<String> SECRET = Set.of("authorization", "cookie", "proxy-authorization");

  static final String MASK = "********";
  static final String SIGNATURE_HEADER = "X-Hub-Signature-256";

  /** Unknown receivers one address may send to a minute before it is refused without a read. */
  static final long UNKNOWN_PER_MINUTE = 120;

  static final String METRIC = "instant_webhook_requests_total";

  private final ResourceRepository resources;
  private final WebhookRepository requests;
  private final Plans plans;
  private final PlatformRedis redis;
  private final Clock clock;
  private final MeterRegistry meters;
  private final AuditLog audit;
  private final ReceiverCache receivers;
  private final AesGcm aes;
  private final TokenCredential credential;

  public WebhookService(
      ResourceRepository resources,
      WebhookRepository requests,
      Plans plans,
      PlatformRedis redis,
      Clock clock,
      MeterRegistry meters,
      AuditLog audit,
      AesGcm aes) {
    this.resources = resources;
    this.requests = requests;
    this.plans = plans;
    this.redis = redis;
    this.clock = clock;
    this.meters = meters;
    this.audit = audit;
    this.aes = aes;
    this.receivers = new ReceiverCache(this::load, System::nanoTime);
    this.credential = new TokenCredential(resources, clock);
  }

  /** One request as a sender sent it. The body is read only once it is known to be wanted. */
  public record Arrival(
      String token,
      String method,
      String pathSuffix,
      Optional<String> query,
      Map<String, List<String>> headers,
      long declaredLength,
      BodyReader body,
      String source) {}

  /** Reads at most {@code limit + 1} bytes of the body, so one over the limit is seen as such. */
  @FunctionalInterface
  public interface BodyReader {
    byte[] read(int limit);
  }

  public WebhookReceivedReply receive(Arrival arrival) {
    ReceiverCache.Receiver receiver = receiver(arrival);
    Plan.WebhookLimits limits = plans.of(receiver.tier()).webhook();
    int maxBody = Math.toIntExact(limits.bodyKb() * 1024);
    if (arrival.declaredLength() > maxBody) {
      throw tooLarge(maxBody);
    }
    byte[] body = arrival.body().read(maxBody);
    if (body.length > maxBody) {
      throw tooLarge(maxBody);
    }
    verifySignature(receiver, arrival.headers(), body);
    // Counted once the request is one that can be stored: a refused body costs no quota.
    admit(receiver.token(), limits);
    Optional<WebhookRepository.Received> stored;
    try {
      stored =
          requests.store(
              receiver.token(),
              new WebhookRepository.Incoming(
                  arrival.method(),
                  arrival.pathSuffix(),
                  arrival.query(),
                  kept(arrival.headers(), receiver.settings().storeSecretHeaders()),
                  body,
                  arrival.source()),
              limits.requestsStored());
    } catch (RuntimeException e) {
      count("store_failed");
      throw new ApiException(
          ErrorCode.SERVICE_UNAVAILABLE, "The request could not be stored; send it again.", e);
    }
    if (stored.isEmpty()) {
      // Deleted or expired since it was remembered: nothing was stored.
      receivers.forget(receiver.token());
      throw unknownReceiver();
    }
    count("stored");
    return new WebhookReceivedReply(true, stored.get().id(), stored.get().receivedAt());
  }

  /**
   * The receiver the request is for. A token not remembered costs a database read, so one address
   * sending to more than {@link #UNKNOWN_PER_MINUTE} unknown receivers a minute is refused before
   * the read (Redis down: let through, the cache still bounds repeats).
   */
  private ReceiverCache.Receiver receiver(Arrival arrival) {
    ResourceToken token = ResourceToken.parse(arrival.token()).orElseThrow(this::unknownReceiver);
    Optional<Optional<ReceiverCache.Receiver>> remembered = receivers.remembered(token);
    String unknownKey = "whk:unknown:" + arrival.source() + ":" + clock.millis() / 60_000;
    if (remembered.isEmpty()
        && redis
            .tryWith("webhook_unknown", r -> r.get(unknownKey))
            .map(Long::parseLong)
            .filter(n -> n >= UNKNOWN_PER_MINUTE)
            .isPresent()) {
      count("rate_limited");
      throw new ApiException(
          ErrorCode.WEBHOOK_RATE_LIMITED,
          "This address sent to too many unknown receivers this minute.",
          OptionalInt.of(secondsToNextMinute()),
          null);
    }
    Optional<ReceiverCache.Receiver> found = remembered.orElseGet(() -> receivers.get(token));
    if (found.isEmpty()) {
      minuteCount("webhook_unknown", unknownKey);
      throw unknownReceiver();
    }
    return found.get();
  }

  private Optional<Long> minuteCount(String subsystem, String key) {
    return redis.countOnce(subsystem, key);
  }

  private int secondsToNextMinute() {
    return Math.max(1, (int) (60 - (clock.millis() / 1000) % 60));
  }

  private ApiException unknownReceiver() {
    count("unknown_receiver");
    return new ApiException(ErrorCode.NOT_FOUND, "No such webhook receiver.");
  }

  private Optional<ReceiverCache.Receiver> load(ResourceToken token) {
    return resources
        .findByToken(token)
        .filter(this::receiving)
        .map(r -> new ReceiverCache.Receiver(r.token(), r.tier(), requests.settings(r.token())));
  }

  /**
   * With a signing secret set, the body must carry {@code X-Hub-Signature-256: sha256=<hex>}, the
   * HMAC-SHA256 of its exact bytes under the secret (GitHub's form; compared in constant time).
   * Without one, nothing is checked.
   */
  private void verifySignature(
      ReceiverCache.Receiver receiver, Map<String, List<String>> headers, byte[] body) {
    Optional<String> encrypted = receiver.settings().encryptedSigningSecret();
    if (encrypted.isEmpty()) {
      return;
    }
    String sent =
        headers.entrySet().stream()
            .filter(e -> e.getKey().equalsIgnoreCase(SIGNATURE_HEADER))
            .flatMap(e -> e.getValue().stream())
            .findFirst()
            .orElse("");
    String expected =
        "sha256=" + HexFormat.of().formatHex(hmac(aes.decrypt(encrypted.get()), body));
    if (!Secrets.constantTimeEquals(expected, sent.trim())) {
      count("bad_signature");
      throw new ApiException(
          ErrorCode.INVALID_SIGNATURE,
          "The body's " + SIGNATURE_HEADER + " does not match this receiver's signing secret.");
    }
  }

  private static byte[] hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private ApiException tooLarge(int maxBody) {
    count("too_large");
    return new ApiException(
        ErrorCode.WEBHOOK_BODY_TOO_LARGE,
        "The body is larger than this receiver's plan stores (" + maxBody + " bytes).");
  }

  /**
   * One counter per receiver per minute. Redis down lets the request through (a convenience limit
   * fails open); the plan's bound on what is kept holds either way.
   */
  private void admit(ResourceToken token, Plan.WebhookLimits limits) {
    String key = "whk:rate:" + token + ":" + clock.millis() / 60_000;
    Optional<Long> seen = minuteCount("webhook_rate", key);
    if (seen.isPresent() && seen.get() > limits.requestsPerMinute()) {
      count("rate_limited");
      throw new ApiException(
          ErrorCode.WEBHOOK_RATE_LIMITED,
          "This receiver takes " + limits.requestsPerMinute() + " requests a minute.",
          OptionalInt.of(secondsToNextMinute()),
          null);
    }
  }

  /**
   * The headers to keep: hop-by-hop ones dropped, secret ones masked unless the owner chose to
   * store them, names lower-cased.
   */
  static Map<String, List<String>> kept(Map<String, List<String>> sent, boolean storeSecrets) {
    Map<String, List<String>> kept = new LinkedHashMap<>();
    Set<String> named = new HashSet<>(HOP_BY_HOP);
    // A header the Connection header names is hop-by-hop too (RFC 9110 7.6.1).
    sent.forEach((name, values) -> {
      if (name.equalsIgnoreCase("connection")) {
        values.forEach(v -> {
          for (String part : v.split(",")) {
            named.add(part.trim().toLowerCase(Locale.ROOT));
          }
        });
      }
    });
    sent.forEach((name, values) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (named.contains(lower)) {
        return;
      }
      kept.merge(
          lower,
          SECRET.contains(lower) && !storeSecrets
              ? values.stream().map(v -> MASK).toList()
              : List.copyOf(values),
          (a, b) -> {
            List<String> both = new ArrayList<>(a);
            both.addAll(b);
            return both;
          });
    });
    return kept;
  }

  /**
   * The receiver's requests, newest first. A team reads its own receivers; an anonymous receiver's
   * token is its credential (whoever has its URL may read what it was sent).
   */
  public WebhookRequestsReply requests(
      Caller caller, String rawToken, Optional<String> cursor, Optional<String> limit) {
    ResourceRecord receiver = readable(caller, rawToken);
    int n = Pages.limit(limit);
    Optional<Long> before = cursor.filter(c -> !c.isBlank()).map(WebhookService::decodeCursor);
    List<WebhookRepository.Received> page = requests.newestFirst(receiver.token(), before, n + 1);
    boolean more = page.size() > n;
    List<WebhookRepository.Received> shown = more ? page.subList(0, n) : page;
    return new WebhookRequestsReply(
        true,
        shown.stream().map(WebhookService::item).toList(),
        more ? Optional.of(encodeCursor(shown.getLast().id())) : Optional.empty());
  }

  /** The receiver {@code caller} may read, or 404 (never 403: a token is not confirmed). */
  public ResourceRecord readable(Caller caller, String rawToken) {
    return credential.usable(caller, rawToken, ResourceType.WEBHOOK, "webhook receiver");
  }

  /**
   * A change to a receiver's settings; absent fields stay as they are.
   *
   * @param signingSecret present: the secret senders sign bodies with ({@code
   *     X-Hub-Signature-256}), or empty text to stop checking
   */
  public record SettingsChange(
      Optional<Boolean> storeSecretHeaders, Optional<String> signingSecret) {
    @Override
    public String toString() {
      return "SettingsChange[storeSecretHeaders=" + storeSecretHeaders + ", signingSecret=***]";
    }
  }

  /**
   * The owner's choices, from now on (what was stored masked stays masked). Audited, the secret
   * never: only whether one is set.
   */
  public WebhookSettingsReply settings(
      Caller caller, String rawToken, SettingsChange change, RequestId requestId) {
    ResourceRecord receiver = readable(caller, rawToken);
    WebhookRepository.Settings now = requests.settings(receiver.token());
    boolean store = change.storeSecretHeaders().orElse(now.storeSecretHeaders());
    Optional<String> secret =
        change
            .signingSecret()
            .map(s -> s.isEmpty() ? Optional.<String>empty() : Optional.of(aes.encrypt(s)))
            .orElse(now.encryptedSigningSecret());
    if (!requests.saveSettings(receiver.token(), new WebhookRepository.Settings(store, secret))) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No such webhook receiver for this caller.");
    }
    receivers.forget(receiver.token());
    audit.record(
        new AuditEvent(
            receiver.teamId(),
            receiver.teamId().isPresent() ? AuditEvent.Actor.USER : AuditEvent.Actor.AGENT,
            AuditKind.WEBHOOK_SETTINGS_CHANGED,
            Optional.of(ResourceType.WEBHOOK.wireName()),
            Optional.of(receiver.id()),
            "Receiver settings changed",
            Map.of("store_secret_headers", store, "signed", secret.isPresent()),
            Optional.of(requestId.value())));
    return new WebhookSettingsReply(true, receiver.token().toString(), store, secret.isPresent());
  }

  /** Where a new stream starts: after the newest request stored now. */
  public long newestId(ResourceToken token) {
    return requests.newestId(token);
  }

  /**
   * False once the receiver is deleted, expired or moved to another owner (claimed into a team): a
   * stream opened by whoever could read it then ends.
   */
  public boolean stillReadableAs(ResourceRecord opened) {
    return resources
        .findByToken(opened.token())
        .filter(this::receiving)
        .filter(r -> r.teamId().equals(opened.teamId()))
        .isPresent();
  }

  /** An active webhook receiver not past its expiry (the expiry job may not have run yet). */
  private boolean receiving(ResourceRecord r) {
    return credential.live(r, ResourceType.WEBHOOK);
  }

  static WebhookRequestsReply.Item item(WebhookRepository.Received r) {
    return new WebhookRequestsReply.Item(
        r.id(),
        r.receivedAt(),
        r.method(),
        r.path(),
        r.query(),
        r.headers(),
        utf8(r.body()),
        Base64.getEncoder().encodeToString(r.body()),
        r.body().length,
        r.source());
  }

  private static Optional<String> utf8(byte[] body) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  static String encodeCursor(long id) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("w" + id).getBytes(StandardCharsets.UTF_8));
  }

  static long decodeCursor(String cursor) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (!text.startsWith("w")) {
        throw new IllegalArgumentException("not a webhook cursor");
      }
      long id = Long.parseLong(text.substring(1));
      if (id < 1) {
        throw new IllegalArgumentException("not a webhook cursor");
      }
      return id;
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.INVALID_QUERY, "The cursor is not one this API gave.");
    }
  }

  private void count(String outcome) {
    meters.counter(METRIC, "outcome", outcome).increment();
  }
}
