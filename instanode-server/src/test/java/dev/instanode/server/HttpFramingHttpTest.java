package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.RawHttp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requests Jetty refuses before any route runs (framing, oversized heads, control bytes, unknown
 * versions) are answered with the JSON envelope and a request id, like every other error.
 */
class HttpFramingHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static Application app;
  private static RawHttp raw;

  @BeforeAll
  static void start() {
    app = TestApplications.start(TestApplications.environment(), ProvisionStepHook.NONE);
    raw = new RawHttp(app.port());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static final String CLOSE = "Host: x\r\nConnection: close\r\n";

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of(
            "NUL in a header",
            bytes("GET /livez HTTP/1.1\r\n" + CLOSE + "X-A: a\0b\r\n\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "control byte in a header",
            bytes("GET /livez HTTP/1.1\r\n" + CLOSE + "X-A: a\u0001b\r\n\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "space in a header name",
            bytes("GET /livez HTTP/1.1\r\n" + CLOSE + "X A: b\r\n\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "..;/ in the path",
            bytes("GET /..;/db/new HTTP/1.1\r\n" + CLOSE + "\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "raw bytes that are not UTF-8 in the path",
            concat(
                bytes("GET /api/v1/resources/"),
                new byte[] {(byte) 0xff, (byte) 0xfe},
                bytes(" HTTP/1.1\r\n" + CLOSE + "\r\n")),
            400,
            "bad_request"),
        Arguments.of(
            "escaped bytes that are not UTF-8",
            bytes("GET /api/v1/resources/%ff%fe HTTP/1.1\r\n" + CLOSE + "\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "an escaped NUL in the path",
            bytes("GET /api/v1/resources/%00 HTTP/1.1\r\n" + CLOSE + "\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "HTTP/3.0 on HTTP/1.1",
            bytes("GET /livez HTTP/3.0\r\n" + CLOSE + "\r\n"),
            505,
            "http_version_not_supported"),
        Arguments.of(
            "an HTTP/2 preface",
            bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            426,
            "upgrade_required"),
        Arguments.of(
            "Content-Length with Transfer-Encoding",
            bytes(
                "POST /db/new HTTP/1.1\r\n"
                    + CLOSE
                    + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "a Content-Length that is not a number",
            bytes("POST /db/new HTTP/1.1\r\n" + CLOSE + "Content-Length: abc\r\n\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "two Content-Lengths",
            bytes(
                "POST /db/new HTTP/1.1\r\n"
                    + CLOSE
                    + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            400,
            "bad_request"),
        Arguments.of(
            "no Host",
            bytes("GET /livez HTTP/1.1\r\nConnection: close\r\n\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "two Hosts",
            bytes("GET /livez HTTP/1.1\r\n" + CLOSE + "Host: y\r\n\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "a control byte in the method",
            bytes("G\u0001T /livez HTTP/1.1\r\n" + CLOSE + "\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "an absolute URI for another host",
            bytes("GET http://elsewhere/livez HTTP/1.1\r\n" + CLOSE + "\r\n"),
            400,
            "bad_request"),
        Arguments.of(
            "a 20 kB header",
            bytes("GET /livez HTTP/1.1\r\n" + CLOSE + "X-A: " + "a".repeat(20_000) + "\r\n\r\n"),
            431,
            "headers_too_large"),
        Arguments.of(
            "a 20 kB URL",
            bytes("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\n" + CLOSE + "\r\n"),
            414,
            "uri_too_long"),
        Arguments.of(
            "CONNECT",
            bytes(
                "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n"),
            404,
            "not_found"),
        Arguments.of(
            "OPTIONS *", bytes("OPTIONS * HTTP/1.1\r\n" + CLOSE + "\r\n"), 404, "not_found"));
  }

  @ParameterizedTest(name = "{0}: {2} {3}")
  @MethodSource("malformed")
  void isAnsweredWithTheEnvelope(String what, byte[] request, int status, String code) {
    RawHttp.Response res = raw.exchange(request);
    assertThat(res.status()).as(what + ": " + res.body()).isEqualTo(status);
    assertThat(res.header("Content-Type").orElse("")).as(what).startsWith("application/json");
    assertThat(res.header("X-Request-Id")).as(what).isPresent();
    JsonNode body = JSON.readTree(res.body());
    assertThat(body.get("ok").asBoolean()).isFalse();
    assertThat(body.get("error").asString()).isEqualTo(code);
    assertThat(body.get("message").asString()).isNotBlank();
    assertThat(body.get("agent_action").asString()).startsWith("Tell the user");
    assertThat(body.get("request_id").asString()).isEqualTo(res.header("X-Request-Id").get());
    assertThat(body.has("retry_after_seconds")).isTrue();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
