package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.testkit.RawHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The access log: one INFO line per request with the route template (never the raw path, whose
 * tokens are credentials), status, duration, request id, the caller masked and the bytes sent; the
 * same fields as JSON fields in serve's format; and X-Request-Id round-tripped.
 */
class AccessLogHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension static final RunningApi api = RunningApi.with();

  private static Map<String, Object> fields(ILoggingEvent event) {
    return event.getKeyValuePairs().stream()
        .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
  }

  private static ILoggingEvent accessLine(CapturedLog log, String requestId) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                log.events().stream()
                    .filter(e -> e.getLoggerName().equals("instanode.access"))
                    .filter(e -> requestId.equals(fields(e).get("request_id")))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  @Test
  void aLineNamesTheRouteTemplateTheMaskedCallerAndTheBytesNeverTheTokenOrKey() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String token = UUID.randomUUID().toString();
    Map<String, String> headers = new HashMap<>(Teams.bearer(team.apiKey()));
    headers.put("X-Request-Id", "trace-access-1");
    try (CapturedLog log = new CapturedLog()) {
      HttpResponse<String> res = api.http().get("/api/v1/resources/" + token, headers);
      assertThat(res.statusCode()).isEqualTo(404);
      assertThat(res.headers().firstValue("X-Request-ID")).hasValue("trace-access-1");

      ILoggingEvent line = accessLine(log, "trace-access-1");
      assertThat(line.getLevel().toString()).isEqualTo("INFO");
      Map<String, Object> f = fields(line);
      assertThat(f)
          .containsEntry("method", "GET")
          .containsEntry("route", "/api/v1/resources/{token}")
          .containsEntry("status", 404)
          .containsEntry("caller", "key:" + team.apiKey().substring(0, 8) + "…")
          .containsEntry("bytes", (long) res.body().getBytes(StandardCharsets.UTF_8).length);
      assertThat((Long) f.get("duration_ms")).isNotNegative();
      String text = line.getFormattedMessage();
      assertThat(text).contains("route=/api/v1/resources/{token}").doesNotContain(token);
      List<String> all = log.lines();
      assertThat(all).noneMatch(l -> l.contains(team.apiKey()));

      // serve's JSON log carries each field as its own.
      LogstashEncoder encoder = new LogstashEncoder();
      encoder.start();
      JsonNode json = JSON.readTree(new String(encoder.encode(line), StandardCharsets.UTF_8));
      encoder.stop();
      assertThat(json.get("route").asString()).isEqualTo("/api/v1/resources/{token}");
      assertThat(json.get("status").asInt()).isEqualTo(404);
      assertThat(json.get("request_id").asString()).isEqualTo("trace-access-1");
    }
  }

  @Test
  void aTokenInAReceiveUrlStaysOutAndAnAnonymousCallerIsNamedSo() {
    String token = UUID.randomUUID().toString();
    try (CapturedLog log = new CapturedLog()) {
      api.http()
          .post(
              "/webhook/receive/" + token + "/deep/path",
              "{}",
              Map.of("Content-Type", "application/json", "X-Request-Id", "trace-access-2"));
      Map<String, Object> f = fields(accessLine(log, "trace-access-2"));
      assertThat(f)
          .containsEntry("route", "/webhook/receive/{token}/<path>")
          .containsEntry("caller", "anonymous");
      assertThat(log.lines()).noneMatch(l -> l.contains(token));
    }
  }

  @Test
  void aRequestRefusedBeforeAnyRouteIsLoggedWithItsIdAndNoPath() {
    try (CapturedLog log = new CapturedLog()) {
      RawHttp.Response res =
          new RawHttp(api.port())
              .exchange("GET /api/v1/resources/%zz-secret HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(res.status()).isEqualTo(400);
      String id = res.header("X-Request-ID").orElseThrow();
      Map<String, Object> f = fields(accessLine(log, id));
      assertThat(f).containsEntry("status", 400);
      assertThat(f).containsEntry("route", "unmatched");
      assertThat(log.lines()).noneMatch(l -> l.contains("zz-secret"));
    }
  }
}
