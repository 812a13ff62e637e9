package dev.instanode.api.claim;

import dev.instanode.api.http.HtmlPage;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.wire.ClaimRequest;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** {@code GET /claim/preview} and {@code POST /claim}; the rules are {@link ClaimService}'s. */
public final class ClaimHandler {
  private final ClaimService claims;
  private final JsonBodies bodies;
  private final BrowserPage page;

  /** The claim page a browser gets instead of JSON ({@code Accept: text/html}). */
  public interface BrowserPage {
    void claimPage(Context ctx);
  }

  /**
   * @param page renders the claim page: the claim link in a mail or a terminal opens it
   */
  public ClaimHandler(ClaimService claims, JsonBodies bodies, BrowserPage page) {
    this.claims = claims;
    this.bodies = bodies;
    this.page = page;
  }

  public void preview(Context ctx) {
    if (HtmlPage.wanted(ctx)) {
      page.claimPage(ctx);
      return;
    }
    ctx.json(claims.preview(Optional.ofNullable(ctx.queryParam("t"))));
  }

  public void claim(Context ctx) {
    JsonNode body = bodies.object(ctx);
    ClaimRequest request =
        new ClaimRequest(
            JsonBodies.text(body, "token"),
            JsonBodies.text(body, "jwt"),
            tokens(body.get("tokens")),
            JsonBodies.text(body, "email"),
            JsonBodies.text(body, "team_name"));
    ctx.status(201).json(claims.claim(request, RequestContext.id(ctx)));
  }

  // An entry that is not a string reads as blank, which the service refuses with the rest.
  private static Optional<List<String>> tokens(JsonNode many) {
    if (many == null || many.isNull()) {
      return Optional.empty();
    }
    if (!many.isArray()) {
      throw ClaimService.tokensRefused();
    }
    List<String> tokens = new ArrayList<>();
    for (JsonNode t : many) {
      tokens.add(t.isString() ? t.asString() : "");
    }
    return Optional.of(tokens);
  }
}
