package dev.instanode.api.dashboard;

import static dev.instanode.api.dashboard.PageSupport.builds;
import static dev.instanode.api.dashboard.PageSupport.confirmed;
import static dev.instanode.api.dashboard.PageSupport.form;
import static dev.instanode.api.dashboard.PageSupport.seeOther;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.RequestContext;
import dev.instanode.api.stacks.StackService;
import dev.instanode.api.wire.StackEnvReply;
import dev.instanode.api.wire.StackReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The team's stacks: the list, a stack's services and logs, its saved env, and redeploying it,
 * through the same service as the JSON routes.
 */
public final class StackPages {
  /** A line of the env editor's "set" box: {@code KEY=value}. */
  private static final Pattern ENV_LINE = Pattern.compile("\\s*([^=\\s]+)\\s*=(.*)");

  private final PageSupport pages;
  private final StackService stacks;

  StackPages(PageSupport pages, StackService stacks) {
    this.pages = pages;
    this.stacks = stacks;
  }

  public void stacksPage(Context ctx) {
    pages
        .signedIn(ctx)
        .ifPresent(m -> {
          Model.Frame f = pages.frame(ctx, m, "Stacks");
          try {
            List<Model.StackRow> rows =
                stacks.list(m.teamId(), Optional.of("100"), Optional.empty()).items().stream()
                    .map(i ->
                        new Model.StackRow(
                            i.stackId(), i.name(), i.status(), i.tier(), i.env(), i.createdAt()))
                    .toList();
            pages.send(ctx, 200, "stacks.jte", new Model.Stacks(f, rows, Optional.empty()));
          } catch (ApiException e) {
            pages.send(
                ctx,
                e.code().httpStatus(),
                "stacks.jte",
                new Model.Stacks(f, List.of(), Optional.of(e.getMessage())));
          }
        });
  }

  /** A stack's services as the cluster shows them; {@code ?logs=svc} follows one's log. */
  public void stackPage(Context ctx) {
    pages
        .signedIn(ctx)
        .ifPresent(m -> render(ctx, m, 200, Optional.empty(), Optional.empty(), Optional.empty()));
  }

  /**
   * Changes the stack's saved env through the same service as {@code PATCH /stacks/{slug}/env}
   * (seed 003: the keys given are set, the keys listed to remove are removed, the rest stay).
   * Removing asks first.
   */
  public void patchEnv(Context ctx) {
    Optional<Caller.Member> signed = pages.signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    String slug = ctx.pathParam("slug");
    String set = form(ctx, "set");
    String remove = form(ctx, "remove");
    Map<String, String> patch = new LinkedHashMap<>();
    try {
      for (String line : set.split("\\R")) {
        if (line.isBlank()) {
          continue;
        }
        var kv = ENV_LINE.matcher(line);
        if (!kv.matches() || kv.group(2).isEmpty()) {
          throw new ApiException(
              ErrorCode.INVALID_BODY,
              "Each line to set is KEY=value, with a value; list a key under Remove to remove it.");
        }
        patch.put(kv.group(1), kv.group(2));
      }
      List<String> removed =
          Arrays.stream(remove.split("[\\s,]+")).filter(k -> !k.isEmpty()).toList();
      removed.forEach(k -> patch.put(k, ""));
      if (patch.isEmpty()) {
        throw new ApiException(
            ErrorCode.INVALID_BODY, "Give a KEY=value to set or a key to remove.");
      }
      if (!removed.isEmpty() && !confirmed(ctx)) {
        stacks.get(m, slug); // a stack this team has, or 404 before asking
        pages.confirm(
            ctx,
            m,
            "Remove " + String.join(", ", removed) + "?",
            "The stack's saved env loses "
                + String.join(", ", removed)
                + " for good (their values cannot be shown or brought back); the services keep"
                + " them until the next redeploy.",
            "/app/stacks/" + slug + "/env",
            Map.of("set", set, "remove", remove),
            "Remove and save",
            "/app/stacks/" + slug);
        return;
      }
      StackEnvReply reply =
          stacks.patchEnv(m, slug, patch, Optional.empty(), RequestContext.id(ctx));
      render(
          ctx,
          m,
          200,
          Optional.of(
              "Env saved: "
                  + reply.keysSet()
                  + " set, "
                  + reply.keysDeleted()
                  + " removed. Redeploy to apply it."),
          Optional.empty(),
          Optional.of(reply.env().keySet().stream().sorted().toList()));
    } catch (ApiException e) {
      refused(ctx, m, e);
    }
  }

  /** Applies the stack again with its saved env, after a confirmation step. */
  public void redeploy(Context ctx) {
    Optional<Caller.Member> signed = pages.signedIn(ctx);
    if (signed.isEmpty()) {
      return;
    }
    Caller.Member m = signed.get();
    String slug = ctx.pathParam("slug");
    if (!confirmed(ctx)) {
      find(ctx, m, slug)
          .ifPresent(stack ->
              pages.confirm(
                  ctx,
                  m,
                  "Redeploy " + stack.name() + " (" + stack.stackId() + ")?",
                  "Every service of the stack is applied again with the saved env: pods whose env"
                      + " changed are replaced, and answer nothing while they restart.",
                  "/app/stacks/" + stack.stackId() + "/redeploy",
                  Map.of(),
                  "Redeploy now",
                  "/app/stacks/" + stack.stackId()));
      return;
    }
    try {
      stacks.redeploy(m, slug, Optional.empty(), RequestContext.id(ctx));
    } catch (ApiException e) {
      refused(ctx, m, e);
      return;
    }
    seeOther(ctx, "/app/stacks/" + slug + "?notice=redeploying");
  }

  /** The team's stack, or the message page with the service's refusal. */
  private Optional<StackReply> find(Context ctx, Caller.Member m, String slug) {
    try {
      return Optional.of(stacks.get(m, slug));
    } catch (ApiException e) {
      pages.message(ctx, e.code().httpStatus(), "Stack " + slug, e.getMessage());
      return Optional.empty();
    }
  }

  /** The stack's page again, with the service's refusal on it. */
  private void refused(Context ctx, Caller.Member m, ApiException e) {
    render(ctx, m, e.code().httpStatus(), Optional.empty(), Optional.of(e), Optional.empty());
  }

  private void render(
      Context ctx,
      Caller.Member m,
      int status,
      Optional<String> notice,
      Optional<ApiException> error,
      Optional<List<String>> envKeys) {
    Optional<StackReply> found = find(ctx, m, ctx.pathParam("slug"));
    if (found.isEmpty()) {
      return;
    }
    StackReply stack = found.get();
    Model.Frame f = pages.frame(ctx, m, stack.name() + " (" + stack.stackId() + ")");
    if (notice.isPresent()) {
      f = new Model.Frame(f.title(), f.csrf(), f.who(), notice, f.error());
    }
    if (error.isPresent()) {
      f = f.withError(error.get().getMessage());
    }
    Optional<String> follow =
        Optional.ofNullable(ctx.queryParam("logs"))
            .filter(svc -> stack.services().stream().anyMatch(x -> x.name().equals(svc)));
    pages.send(ctx, status, "stack.jte", new Model.Stack(f, stack, follow, envKeys, builds(m)));
  }
}
