package dev.instanode.api.dashboard;

import dev.instanode.api.auth.SessionCookie;
import dev.instanode.core.crypto.Secrets;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The dashboard's defence against cross-site form posts: every form carries a token that is an HMAC
 * of the browser's own random {@code instanode_csrf} cookie and its session cookie (none before
 * sign-in), under a key derived from the server's session secret. Another site can make the browser
 * post, but cannot read either cookie, so it cannot write the token; a token taken from one browser
 * or session is worthless in another, and every replica computes the same one.
 */
public final class CsrfTokens {
  public static final String COOKIE = "instanode_csrf";
  public static final String FIELD = "csrf";
  private static final String ATTRIBUTE = "instanode.csrf";

  /** The claim form: a person fills it without a session, so it is bound to the browser alone. */
  static final String UNBOUND_FORM = "/app/claim";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;

  /**
   * @param serverSecret the session-signing secret; the key is derived from it, never the same
   */
  public CsrfTokens(String serverSecret) {
    this.key = hmac(serverSecret.getBytes(StandardCharsets.UTF_8), "instanode dashboard csrf v1");
  }

  /**
   * The token for this browser's forms, setting its cookie first when it has none (or one this
   * response has just set).
   */
  public String token(Context ctx, boolean secure) {
    String browser = ctx.attribute(ATTRIBUTE);
    if (browser == null) {
      browser = Optional.ofNullable(ctx.cookie(COOKIE)).filter(CsrfTokens::wellFormed).orElse(null);
    }
    if (browser == null) {
      byte[] random = new byte[32];
      RANDOM.nextBytes(random);
      browser = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      ctx.res()
          .addHeader(
              "Set-Cookie",
              COOKIE
                  + "="
                  + browser
                  + "; Path=/; HttpOnly; SameSite=Lax"
                  + (secure ? "; Secure" : ""));
    }
    ctx.attribute(ATTRIBUTE, browser);
    return expected(browser, sessionOf(ctx));
  }

  /** Whether a form post carries the token its browser's cookies call for. */
  public boolean accepts(Context ctx) {
    Optional<String> browser =
        Optional.ofNullable(ctx.cookie(COOKIE)).filter(CsrfTokens::wellFormed);
    String sent = Optional.ofNullable(formField(ctx)).orElse("");
    return browser.isPresent()
        && !sent.isEmpty()
        && Secrets.constantTimeEquals(expected(browser.get(), sessionOf(ctx)), sent);
  }

  // A body that is not a form has no token (and is never read as one).
  private static String formField(Context ctx) {
    String type = Optional.ofNullable(ctx.contentType()).orElse("");
    return type.startsWith("application/x-www-form-urlencoded") ? ctx.formParam(FIELD) : null;
  }

  /**
   * The session a form is bound to: the dashboard's cookie, or none for the claim form, which is
   * rendered outside {@code /app} (at {@code /claim/preview}, where the cookie is not sent).
   */
  private static String sessionOf(Context ctx) {
    if (!SessionCookie.onDashboard(ctx.path()) || ctx.path().equals(UNBOUND_FORM)) {
      return "";
    }
    return SessionCookie.read(ctx).orElse("");
  }

  private String expected(String browser, String session) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(hmac(key, browser + "|" + session));
  }

  private static boolean wellFormed(String value) {
    return value.length() == 43 && value.chars().allMatch(CsrfTokens::base64url);
  }

  private static boolean base64url(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_';
  }

  private static byte[] hmac(byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
