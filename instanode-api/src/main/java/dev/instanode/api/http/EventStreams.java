package dev.instanode.api.http;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Opening a server-sent events response, the same way for every stream. */
public final class EventStreams {
  private EventStreams() {}

  /**
   * What Javalin's SseHandler does, minus its check for {@code Accept: text/event-stream}: curl and
   * most agents' HTTP clients do not send it, and would get an empty 200.
   *
   * @return false when the client went away before the stream began
   */
  public static boolean open(Context ctx) {
    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setCharacterEncoding("UTF-8");
    res.setContentType("text/event-stream");
    res.addHeader("Cache-Control", "no-cache");
    res.addHeader("X-Accel-Buffering", "no");
    try {
      res.flushBuffer();
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
