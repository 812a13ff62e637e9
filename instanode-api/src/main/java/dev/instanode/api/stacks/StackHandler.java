package dev.instanode.api.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.api.auth.Authenticator;
import dev.instanode.api.auth.Caller;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.http.EventStreams;
import dev.instanode.api.http.JsonBodies;
import dev.instanode.api.http.RequestContext;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stack routes: {@code /stacks/*} and {@code /api/v1/stacks}. Only IO here; the rules are
 * {@link StackCreation}'s and {@link StackService}'s.
 */
public final class StackHandler {
  /** Shorter than Jetty's 30 s idle timeout and than common proxies'. */
  static final Duration HEARTBEAT = Duration.ofSeconds(15);

  private final StackCreation creation;
  private final StackService service;
  private final JsonBodies bodies;
  private final Authenticator auth;

  public StackHandler(
      StackCreation creation, StackService service, JsonBodies bodies, Authenticator auth) {
    this.creation = requireNonNull(creation, "creation is null");
    this.service = requireNonNull(service, "service is null");
    this.bodies = requireNonNull(bodies, "bodies is null");
    this.auth = requireNonNull(auth, "auth is null");
  }

  /**
   * Multipart ({@code name}, {@code manifest} as instant.yaml, {@code env}) or the same as JSON.
   */
  public void create(Context ctx) {
    Caller caller = auth.optionalStrict(ctx);
    StackCreation.Create request;
    if (ctx.isMultipartFormData()) {
      request =
          new StackCreation.Create(
              caller,
              Optional.ofNullable(ctx.formParam("name")),
              Optional.ofNullable(ctx.formParam("env")),
              multipartManifest(ctx),
              upgradeHeader(ctx),
              RequestContext.id(ctx));
    } else {
      ObjectNode body = bodies.object(ctx);
      JsonNode manifest = body.get("manifest");
      request =
          new StackCreation.Create(
              caller,
              JsonBodies.text(body, "name"),
              JsonBodies.text(body, "env"),
              manifest == null || manifest.isNull()
                  ? new StackCreation.Manifest.Missing()
                  : manifest.isString()
                      ? new StackCreation.Manifest.Text(manifest.asString())
                      : new StackCreation.Manifest.Json(manifest),
              upgradeHeader(ctx),
              RequestContext.id(ctx));
    }
    ctx.status(202).json(creation.create(request));
  }

  public void get(Context ctx) {
    ctx.json(service.get(auth.optionalStrict(ctx), ctx.pathParam("slug")));
  }

  public void list(Context ctx) {
    Caller.Member member = auth.required(ctx);
    ctx.json(
        service.list(
            member.teamId(),
            Optional.ofNullable(ctx.queryParam("limit")),
            Optional.ofNullable(ctx.queryParam("cursor"))));
  }

  /** {@code {"env": {"K": "V", "OLD": ""}}}: values are strings; "" deletes the key. */
  public void patchEnv(Context ctx) {
    Caller caller = auth.optionalStrict(ctx);
    JsonNode env = bodies.object(ctx).get("env");
    if (env == null || !env.isObject()) {
      throw new ApiException(
          ErrorCode.INVALID_BODY, "The body must be {\"env\": {\"KEY\": \"value\"}}.");
    }
    Map<String, String> patch = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : env.properties()) {
      if (!e.getValue().isString()) {
        throw new ApiException(
            ErrorCode.INVALID_BODY,
            "env." + e.getKey() + ": values are strings; \"\" deletes the key.");
      }
      patch.put(e.getKey(), e.getValue().asString());
    }
    ctx.json(
        service.patchEnv(
            caller, ctx.pathParam("slug"), patch, upgradeHeader(ctx), RequestContext.id(ctx)));
  }

  public void redeploy(Context ctx) {
    Caller caller = auth.optionalStrict(ctx);
    ctx.status(202)
        .json(
            service.redeploy(
                caller, ctx.pathParam("slug"), upgradeHeader(ctx), RequestContext.id(ctx)));
  }

  public void delete(Context ctx) {
    Caller caller = auth.optionalStrict(ctx);
    ctx.json(
        service.delete(caller, ctx.pathParam("slug"), upgradeHeader(ctx), RequestContext.id(ctx)));
  }

  /**
   * Server-sent events, one {@code log} event per line of the service's newest pod, until the
   * client leaves or the pod ends ({@code end} event). Access is checked before the stream starts,
   * so a refusal is an ordinary JSON error.
   */
  public void logs(Context ctx) {
    Caller caller = auth.optionalStrict(ctx);
    String slug = ctx.pathParam("slug");
    String svc = ctx.pathParam("svc");
    Optional<String> proof = upgradeHeader(ctx);
    service.requireLogs(caller, slug, svc, proof);
    if (!EventStreams.open(ctx)) {
      return;
    }
    ctx.async(
        config -> config.timeout = 0,
        () -> follow(new Stream(new SseClient(ctx)), caller, slug, svc, proof));
  }

  /**
   * One client's event stream. The pod's reader and the heartbeat write from two threads; every
   * write goes through here, one at a time, so no two events interleave on the wire.
   */
  private record Stream(SseClient client) {
    synchronized void send(String event, String data) {
      if (!client.terminated()) {
        client.sendEvent(event, data);
      }
    }

    synchronized void comment(String text) {
      if (!client.terminated()) {
        client.sendComment(text);
      }
    }

    synchronized void end(String event, String data) {
      send(event, data);
      client.close();
    }
  }

  private void follow(
      Stream stream, Caller caller, String slug, String svc, Optional<String> proof) {
    SseClient client = stream.client();
    client.keepAlive();
    AtomicReference<AutoCloseable> following = new AtomicReference<>();
    client.onClose(() -> closeQuietly(following.get()));
    try {
      Optional<AutoCloseable> handle =
          service.followLogs(
              caller,
              slug,
              svc,
              proof,
              line -> stream.send("log", line),
              () -> stream.end("end", "the pod's log ended"));
      if (handle.isEmpty()) {
        stream.end("end", "the service has no pod yet");
        return;
      }
      following.set(handle.get());
      if (client.terminated()) {
        closeQuietly(handle.get());
        return;
      }
      Thread.ofVirtual().name("logs-heartbeat").start(() -> heartbeat(stream, caller));
    } catch (ApiException e) {
      stream.end("error", e.getMessage());
    }
  }

  /**
   * A comment line now and then: a pod that logs nothing for a while must not have its stream
   * closed as idle by the server or a proxy between. Each beat also asks whether the caller may
   * still read: a revoked key's stream ends.
   */
  private void heartbeat(Stream stream, Caller caller) {
    while (!stream.client().terminated()) {
      try {
        Thread.sleep(HEARTBEAT.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      if (!auth.stillValid(caller)) {
        stream.end("end", "this caller's access ended");
        return;
      }
      stream.comment("keep-alive");
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // The stream is over either way.
    }
  }

  private static StackCreation.Manifest multipartManifest(Context ctx) {
    UploadedFile file = ctx.uploadedFile("manifest");
    if (file != null) {
      try (InputStream in = file.content()) {
        return new StackCreation.Manifest.Text(
            new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new ApiException(ErrorCode.INVALID_BODY, "The manifest upload could not be read.");
      }
    }
    String text = ctx.formParam("manifest");
    return text == null
        ? new StackCreation.Manifest.Missing()
        : new StackCreation.Manifest.Text(text);
  }

  private static Optional<String> upgradeHeader(Context ctx) {
    return Optional.ofNullable(ctx.header(ClaimService.UPGRADE_HEADER));
  }
}
