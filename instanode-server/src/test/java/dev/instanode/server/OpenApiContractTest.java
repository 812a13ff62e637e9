package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.ApiServer;
import dev.instanode.core.ErrorCode;
import dev.instanode.testkit.ContractCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * openapi.yaml against the server: every registered route is documented and every documented
 * operation is served, every error code is listed with its status, the document is served at {@code
 * /openapi.json}, and the check every HTTP test's answers go through can fail.
 */
class OpenApiContractTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  // The broker's routes are served only when it is configured: on, so every route is walked.
  @RegisterExtension
  static final RunningApi api =
      RunningApi.with("OSB_USERNAME", "platform", "OSB_PASSWORD", "broker-password-0123456789");

  private static JsonNode document() {
    HttpResponse<String> res = api.http().get("/openapi.json");
    assertThat(res.statusCode()).isEqualTo(200);
    return JSON.readTree(res.body());
  }

  @Test
  void everyRouteIsDocumentedAndEveryOperationServed() {
    JsonNode doc = document();
    assertThat(doc.get("openapi").asString()).isEqualTo("3.1.0");
    Set<String> documented = new TreeSet<>();
    doc.get("paths")
        .properties()
        .forEach(path ->
            path.getValue()
                .propertyNames()
                .forEach(method ->
                    documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
    Set<String> served = new TreeSet<>();
    for (ApiServer.RouteAccess route : api.routes()) {
      served.add(route.method() + " " + route.path().replace("<path>", "{path}"));
    }
    assertThat(served).hasSizeGreaterThan(70);
    Set<String> undocumented = new TreeSet<>(served);
    undocumented.removeAll(documented);
    Set<String> unserved = new TreeSet<>(documented);
    unserved.removeAll(served);
    assertThat(undocumented).as("routes openapi.yaml does not document").isEmpty();
    assertThat(unserved).as("operations openapi.yaml documents that nothing serves").isEmpty();
  }

  @Test
  void everyErrorCodeIsListedWithItsStatus() {
    JsonNode doc = document();
    Map<String, Set<Integer>> expected = new HashMap<>();
    for (ErrorCode code : ErrorCode.values()) {
      expected.computeIfAbsent(code.code(), c -> new HashSet<>()).add(code.httpStatus());
    }
    Map<String, Set<Integer>> listed = new HashMap<>();
    doc.get("x-error-codes")
        .properties()
        .forEach(e -> {
          Set<Integer> statuses = new HashSet<>();
          if (e.getValue().isArray()) {
            e.getValue().forEach(s -> statuses.add(s.asInt()));
          } else {
            statuses.add(e.getValue().asInt());
          }
          listed.put(e.getKey(), statuses);
        });
    assertThat(listed).isEqualTo(expected);
    Set<String> envelopeCodes = new TreeSet<>();
    doc.at("/components/schemas/ErrorEnvelope/properties/error/enum")
        .forEach(c -> envelopeCodes.add(c.asString()));
    assertThat(envelopeCodes).isEqualTo(new TreeSet<>(expected.keySet()));
  }

  @Test
  void theCheckRefusesAnUndocumentedStatusFieldOrRoute() {
    ContractCheck check = ContractCheck.loaded().orElseThrow();
    String whoami =
        "{\"ok\":true,\"user_id\":null,\"email\":null,\"team_id\":\"t\",\"team_name\":\"n\","
            + "\"tier\":\"pro\",\"role\":\"owner\",\"scopes\":[\"read\"],\"auth_method\":\"api_key\","
            + "\"api_key_id\":null}";
    assertThat(check.violations("GET", "/api/v1/whoami", response(200, whoami))).isEmpty();
    assertThat(
            check.violations(
                "GET", "/api/v1/whoami", response(200, whoami.replace("}", ",\"extra\":1}"))))
        .singleElement()
        .asString()
        .contains("extra");
    assertThat(check.violations("GET", "/api/v1/whoami", response(418, "{}")))
        .singleElement()
        .asString()
        .contains("status not listed");
    assertThat(check.violations("GET", "/api/v1/nowhere", response(200, "{}")))
        .singleElement()
        .asString()
        .contains("not in openapi.yaml");
    String envelope =
        "{\"ok\":false,\"error\":\"made_up\",\"message\":\"m\",\"request_id\":\"r\","
            + "\"agent_action\":\"a\",\"retry_after_seconds\":null}";
    assertThat(check.violations("GET", "/api/v1/whoami", response(401, envelope)))
        .as("an error code the document does not list")
        .isNotEmpty();
  }

  private static HttpResponse<String> response(int status, String body) {
    return new HttpResponse<>() {
      @Override
      public int statusCode() {
        return status;
      }

      @Override
      public HttpRequest request() {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).build();
      }

      @Override
      public Optional<HttpResponse<String>> previousResponse() {
        return Optional.empty();
      }

      @Override
      public HttpHeaders headers() {
        return HttpHeaders.of(Map.of("Content-Type", List.of("application/json")), (a, b) -> true);
      }

      @Override
      public String body() {
        return body;
      }

      @Override
      public Optional<SSLSession> sslSession() {
        return Optional.empty();
      }

      @Override
      public URI uri() {
        return URI.create("http://127.0.0.1/");
      }

      @Override
      public HttpClient.Version version() {
        return HttpClient.Version.HTTP_1_1;
      }
    };
  }
}
