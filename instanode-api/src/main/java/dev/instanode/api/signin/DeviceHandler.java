package dev.instanode.api.signin;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.http.HtmlPage;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.wire.DeletedReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /auth/cli}, {@code POST /auth/cli/token}, {@code POST /auth/cli/approve} (JSON), and
 * the approval page {@code GET|POST /auth/cli/verify} (HTML); the rules are {@link DeviceFlow}'s.
 */
public final class DeviceHandler {
  private final DeviceFlow flow;
  private final Authenticator auth;
  private final ClientAddress addresses;
  private final JsonBodies bodies;

  public DeviceHandler(
      DeviceFlow flow, Authenticator auth, ClientAddress addresses, JsonBodies bodies) {
    this.flow = flow;
    this.auth = auth;
    this.addresses = addresses;
    this.bodies = bodies;
  }

  public void start(Context ctx) {
    ctx.status(201)
        .json(
            flow.start(
                JsonBodies.text(bodies.object(ctx), "device_name").filter(n -> !n.isBlank())));
  }

  public void token(Context ctx) {
    String device = JsonBodies.text(bodies.object(ctx), "device_code").orElse("");
    ctx.json(flow.token(device, RequestContext.id(ctx)));
  }

  /** {@code {"user_code", "approve": true|false}} with a session. */
  public void approve(Context ctx) {
    var member = auth.required(ctx);
    JsonNode body = bodies.object(ctx);
    JsonNode approve = body.get("approve");
    if (approve != null && !approve.isNull() && !approve.isBoolean()) {
      throw new ApiException(
          ErrorCode.INVALID_BODY, "\"approve\" is true or false (true when absent).");
    }
    boolean approved =
        flow.decide(
            member,
            JsonBodies.text(body, "user_code").orElse(""),
            approve == null || approve.isNull() || approve.asBoolean());
    ctx.json(new DeletedReply(true, approved ? "CLI sign-in approved." : "CLI sign-in denied."));
  }

  public void page(Context ctx) {
    String code = Optional.ofNullable(ctx.queryParam("code")).orElse("");
    Optional<String> link = Optional.ofNullable(ctx.queryParam("link")).filter(l -> !l.isBlank());
    html(
        ctx,
        200,
        link.isPresent()
            ? DevicePages.decide(
                DeviceCodes.normalize(code).orElse(""), link.get(), flow.deviceName(code))
            : DevicePages.askEmail(DeviceCodes.normalize(code).orElse(code)));
  }

  /** The page's forms: the email step, or the decision with the mailed link. */
  public void submit(Context ctx) {
    // The page's own forms are urlencoded; a multipart body is not one of them (and would be
    // parsed as a file upload).
    if (!HtmlPage.isForm(ctx)) {
      throw new ApiException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "The page's forms are sent as application/x-www-form-urlencoded.");
    }
    String code = Optional.ofNullable(ctx.formParam("code")).orElse("");
    Optional<String> link = Optional.ofNullable(ctx.formParam("link")).filter(l -> !l.isBlank());
    try {
      if (link.isPresent()) {
        boolean approve = "approve".equals(ctx.formParam("decision"));
        String expected = Optional.ofNullable(ctx.formParam("expected")).orElse("");
        html(
            ctx,
            200,
            DevicePages.done(
                flow.decideWithLink(code, expected, link.get(), approve, RequestContext.id(ctx))));
      } else {
        flow.sendLink(
            code,
            Optional.ofNullable(ctx.formParam("email")).orElse(""),
            addresses.fingerprint(ctx));
        html(ctx, 200, DevicePages.checkInbox());
      }
    } catch (ApiException e) {
      // A browser gets a page; any other client the JSON envelope every error is.
      if (!HtmlPage.wanted(ctx)) {
        throw e;
      }
      html(ctx, e.code().httpStatus(), DevicePages.failed(e.getMessage()));
    }
  }

  private static void html(Context ctx, int status, String page) {
    HtmlPage.send(ctx, status, page);
  }
}
