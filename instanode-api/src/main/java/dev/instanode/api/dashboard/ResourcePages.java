package dev.instanode.api.dashboard;

import static dev.instanode.api.dashboard.PageSupport.HOME;
import static dev.instanode.api.dashboard.PageSupport.builds;
import static dev.instanode.api.dashboard.PageSupport.confirmed;
import static dev.instanode.api.dashboard.PageSupport.form;
import static dev.instanode.api.dashboard.PageSupport.seeOther;
import static dev.instanode.api.dashboard.PageSupport.token;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.provision.ProvisionService;
import dev.instanode.api.resources.ResourceService;
import dev.instanode.api.wire.ResourceItem;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * The team's resources: the list, provisioning a new one, revealing or rotating a connection URL,
 * and deleting, through the same services as the JSON routes.
 */
public final class ResourcePages {
  private final PageSupport pages;
  private final ResourceService resources;
  private final ProvisionService provisioning;
  private final Set<ResourceType> enabled;
  private final JsonMapper mapper;
  private final ResourceRows rows;

  ResourcePages(
      PageSupport pages,
      ResourceService resources,
      ProvisionService provisioning,
      Set<ResourceType> enabled,
      JsonMapper mapper,
      ResourceRows rows) {
    this.pages = pages;
    this.resources = resources;
    this.provisioning = provisioning;
    this.enabled = enabled;
    this.mapper = mapper;
    this.rows = rows;
  }

  public void resourcesPage(Context ctx) {
    pages
        .signedIn(ctx)
        .ifPresent(m -> list(ctx, m, 200, pages.frame(ctx, m, "Resources"), Optional.empty()));
  }

  /** Provisions for the signed-in team, through the same service as {@code POST /db/new}. */
  public void provision(Context ctx) {
    Optional<Caller.Member> signed = pages.signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    Optional<ResourceType> type = ResourceType.parse(form(ctx, "kind")).filter(enabled::contains);
    Map<String, String> body = new LinkedHashMap<>();
    body.put("name", form(ctx, "name"));
    Optional.of(form(ctx, "env")).filter(e -> !e.isBlank()).ifPresent(e -> body.put("env", e));
    try {
      if (type.isEmpty()) {
        throw new ApiException(ErrorCode.BAD_REQUEST, "Choose a kind this instanode offers.");
      }
      provisioning.provision(
          new ProvisionService.Request(
              type.get(),
              m,
              mapper.writeValueAsBytes(body),
              "application/json",
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              RequestContext.id(ctx)));
    } catch (ApiException e) {
      refused(ctx, m, e);
      return;
    }
    seeOther(ctx, HOME + "?notice=created");
  }

  /** Reveals a connection URL: the same audited read as {@code GET …/credentials}. */
  public void reveal(Context ctx) {
    resourceAct(
        ctx,
        (m, token) -> {
          var reply = resources.credentials(m.teamId(), token, RequestContext.id(ctx));
          return new Model.Revealed(reply.token(), "", reply.connectionUrl(), false);
        });
  }

  public void rotate(Context ctx) {
    resourceAct(
        ctx,
        (m, token) -> {
          var reply = resources.rotate(m.teamId(), token, RequestContext.id(ctx));
          return new Model.Revealed(token.toString(), "", reply.connectionUrl(), true);
        });
  }

  /** Deletes after a confirmation step: without {@code confirm=yes}, the page that asks. */
  public void delete(Context ctx) {
    Optional<Caller.Member> signed = pages.signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    try {
      ResourceToken token = token(ctx);
      if (!confirmed(ctx)) {
        ResourceItem item = resources.get(m.teamId(), token).item();
        pages.send(
            ctx,
            200,
            "confirm_delete.jte",
            new Model.ConfirmDelete(
                pages.frame(ctx, m, "Delete " + item.name() + "?"),
                item.token(),
                item.name(),
                item.resourceType()));
        return;
      }
      resources.delete(m.teamId(), token, RequestContext.id(ctx));
    } catch (ApiException e) {
      refused(ctx, m, e);
      return;
    }
    seeOther(ctx, HOME + "?notice=deleted");
  }

  private interface ResourceAct {
    Model.Revealed act(Caller.Member member, ResourceToken token);
  }

  private void resourceAct(Context ctx, ResourceAct act) {
    Optional<Caller.Member> signed = pages.signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    try {
      Model.Revealed revealed = act.act(m, token(ctx));
      list(ctx, m, 200, pages.frame(ctx, m, "Resources"), Optional.of(revealed));
    } catch (ApiException e) {
      refused(ctx, m, e);
    }
  }

  /** The resources page again, with the service's refusal on it. */
  private void refused(Context ctx, Caller.Member m, ApiException e) {
    list(
        ctx,
        m,
        e.code().httpStatus(),
        pages.frame(ctx, m, "Resources").withError(e.getMessage()),
        Optional.empty());
  }

  private void list(
      Context ctx,
      Caller.Member m,
      int status,
      Model.Frame frame,
      Optional<Model.Revealed> revealed) {
    var list = resources.list(m.teamId(), Optional.empty(), Optional.of("200"), Optional.empty());
    List<Model.Row> items = list.items().stream().map(rows::row).toList();
    // The revealed URL's row names it.
    Optional<Model.Revealed> named =
        revealed.map(r ->
            new Model.Revealed(
                r.token(),
                items.stream()
                    .filter(row -> row.token().equals(r.token()))
                    .map(Model.Row::name)
                    .findFirst()
                    .orElse(r.token()),
                r.url(),
                r.rotated()));
    List<Model.Kind> kinds =
        enabled.stream().sorted().map(t -> new Model.Kind(t.wireName(), label(t))).toList();
    pages.send(
        ctx,
        status,
        "resources.jte",
        new Model.Resources(frame, items, list.total(), kinds, builds(m), named));
  }

  private static String label(ResourceType type) {
    return switch (type) {
      case POSTGRES -> "Postgres database";
      case REDIS -> "Redis cache";
      case WEBHOOK -> "Webhook receiver";
      case STORAGE -> "Object storage bucket";
      case QUEUE -> "NATS queue";
    };
  }
}
