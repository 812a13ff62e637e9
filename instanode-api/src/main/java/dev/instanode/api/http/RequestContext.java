package dev.instanode.api.http;

import dev.instanode.core.RequestId;
import io.javalin.http.Context;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/** Assigns every request an id (the caller's X-Request-ID when it is sane) and a start time. */
public final class RequestContext {
  public static final String HEADER = "X-Request-ID";
  private static final String ID_ATTRIBUTE = "instanode.request_id";
  private static final String START_ATTRIBUTE = "instanode.start_nanos";
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private RequestContext() {}

  public static void begin(Context ctx) {
    String incoming = ctx.header(HEADER);
    RequestId id =
        incoming != null && SANE_ID.matcher(incoming).matches()
            ? new RequestId(incoming)
            : RequestId.random();
    ctx.attribute(ID_ATTRIBUTE, id);
    ctx.attribute(START_ATTRIBUTE, System.nanoTime());
    ctx.header(HEADER, id.value());
    MDC.put("request_id", id.value());
  }

  public static RequestId id(Context ctx) {
    RequestId id = ctx.attribute(ID_ATTRIBUTE);
    if (id == null) {
      // Requests rejected before the before-filter ran (e.g. by Jetty) still get an id.
      id = RequestId.random();
      ctx.attribute(ID_ATTRIBUTE, id);
      ctx.header(HEADER, id.value());
    }
    return id;
  }

  public static long elapsedNanos(Context ctx) {
    Long start = ctx.attribute(START_ATTRIBUTE);
    return start == null ? 0 : System.nanoTime() - start;
  }

  public static void end() {
    MDC.remove("request_id");
  }
}
