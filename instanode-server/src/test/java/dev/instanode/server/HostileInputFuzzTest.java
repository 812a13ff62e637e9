package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.RawHttp;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seeded hostile requests against every route: never a 5xx (bar 505 for an unknown HTTP version),
 * every error the JSON envelope, no stack trace in a body, no ERROR log line. {@code
 * -Dfuzz.count=50000} (and {@code -Dfuzz.seed=}) runs a longer campaign; the default stays well
 * under a minute.
 */
class HostileInputFuzzTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int COUNT = Integer.getInteger("fuzz.count", 2000);
  private static final long SEED = Long.getLong("fuzz.seed", 20261201L);

  @RegisterExtension
  static final RunningApi api =
      RunningApi.with(
          "INTERNAL_JWT_SECRET",
          "i".repeat(32),
          "HTTP_REQUEST_READ_TIMEOUT",
          "2s",
          // Invitations and sign-in links are written to the log rather than refused for want of
          // a mail server.
          "MAIL_LOG",
          "true");

  @Test
  void hostileRequestsNeverGetA5xxAndEveryErrorIsTheEnvelope() {
    TeamBootstrap.Bootstrapped paid = Teams.create(api.env(), Tier.PRO);
    TeamBootstrap.Bootstrapped free = Teams.create(api.env(), Tier.FREE);
    HttpJson http = HttpJson.fromManyNetworks(api.port());
    JsonNode owned =
        JSON.readTree(
            http.post("/db/new", "{\"name\":\"fuzzed\"}", Teams.bearer(paid.apiKey())).body());
    JsonNode anonymous = JSON.readTree(http.postJson("/cache/new", "{\"name\":\"fuzzed\"}").body());
    HostileRequests requests =
        new HostileRequests(
            SEED,
            new HostileRequests.Known(
                paid.apiKey(),
                free.apiKey(),
                owned.get("token").asString(),
                anonymous.get("upgrade_jwt").asString(),
                paid.team().id().toString()));
    RawHttp raw = new RawHttp(api.port());
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<String> errorLogs;
    try (CapturedLog log = new CapturedLog()) {
      for (int i = 0; i < COUNT && failures.size() < 10; i++) {
        HostileRequests.Request request = requests.next();
        int number = i;
        RawHttp.Response res;
        try {
          res = raw.exchange(request.bytes());
        } catch (UncheckedIOException e) {
          failures.add(
              "#" + i + " no response (" + e.getCause() + ") to:\n" + request.description());
          continue;
        }
        statuses.merge(res.status(), 1, Integer::sum);
        problem(res)
            .ifPresent(
                p -> failures.add("#" + number + " " + p + " for:\n" + request.description()));
      }
      errorLogs = log.errors();
    }
    System.out.printf("fuzz: seed=%d requests=%d statuses=%s%n", SEED, COUNT, statuses);
    assertThat(failures).as("seed " + SEED).isEmpty();
    assertThat(errorLogs).as("ERROR log lines during the fuzz run").isEmpty();
    assertThat(statuses.keySet())
        .as("the run reached the routes, not only the parser")
        .contains(200, 201);
  }

  private static java.util.Optional<String> problem(RawHttp.Response res) {
    // 505 is the protocol's answer to an HTTP version nobody speaks, not a server failure.
    if (res.status() >= 500 && res.status() != 505) {
      return java.util.Optional.of(res.status() + " " + res.body());
    }
    if (res.body().contains("\tat ") || res.body().contains("Exception")) {
      return java.util.Optional.of("a stack trace or exception name in the body: " + res.body());
    }
    if (res.status() < 400) {
      return java.util.Optional.empty();
    }
    if (!res.header("Content-Type").orElse("").startsWith("application/json")) {
      return java.util.Optional.of(res.status() + " is not JSON: " + res.body());
    }
    JsonNode body;
    try {
      body = JSON.readTree(res.body());
    } catch (JacksonException e) {
      return java.util.Optional.of(res.status() + " body does not parse: " + res.body());
    }
    boolean envelope =
        body.isObject()
            && body.path("ok").isBoolean()
            && !body.get("ok").asBoolean()
            && body.path("error").isString()
            && body.path("message").isString()
            && body.path("request_id").isString()
            && body.path("agent_action").asString("").startsWith("Tell the user")
            && body.has("retry_after_seconds")
            && res.header("X-Request-Id").isPresent();
    return envelope
        ? java.util.Optional.empty()
        : java.util.Optional.of(res.status() + " is not the envelope: " + res.body());
  }
}
