package dev.instanode.api.auth;

import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;

/**
 * The dashboard's browser session: a cookie holding the very credential a client would send as
 * {@code Authorization: Bearer} (a session token from email sign-in, or a pasted API key), which
 * {@link Authenticator} turns into the same {@link Caller}. HttpOnly (no script reads it),
 * SameSite=Lax (no cross-site form post carries it), Secure when served over https, and scoped to
 * {@code /app}: the JSON API never reads it, so a cookie cannot drive it from another site.
 */
public final class SessionCookie {
  public static final String NAME = "instanode_session";
  public static final String PATH = "/app";

  private SessionCookie() {}

  /** The credential the cookie carries, on a dashboard path only. */
  public static Optional<String> read(Context ctx) {
    if (!onDashboard(ctx.path())) {
      return Optional.empty();
    }
    return Optional.ofNullable(ctx.cookie(NAME)).map(String::trim).filter(v -> !v.isEmpty());
  }

  public static boolean onDashboard(String path) {
    return path.equals(PATH) || path.startsWith(PATH + "/");
  }

  public static void set(Context ctx, String credential, Duration lifetime, boolean secure) {
    ctx.res()
        .addHeader(
            "Set-Cookie",
            NAME
                + "="
                + credential
                + "; Path="
                + PATH
                + "; Max-Age="
                + lifetime.toSeconds()
                + "; HttpOnly; SameSite=Lax"
                + (secure ? "; Secure" : ""));
  }

  public static void clear(Context ctx, boolean secure) {
    ctx.res()
        .addHeader(
            "Set-Cookie",
            NAME
                + "=; Path="
                + PATH
                + "; Max-Age=0; HttpOnly; SameSite=Lax"
                + (secure ? "; Secure" : ""));
  }
}
