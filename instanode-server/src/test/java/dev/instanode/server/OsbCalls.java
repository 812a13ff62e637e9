package dev.instanode.server;

import dev.instanode.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A platform's calls to the broker, as the broker tests make them: basic auth with the broker's
 * credentials, {@code X-Broker-API-Version: 2.17}, and the spec's request shapes.
 */
record OsbCalls(HttpJson http, String user, String password) {
  /** The headers of every call; a fresh map, so a test may change one. */
  Map<String, String> headers() {
    Map<String, String> h = new HashMap<>();
    h.put("Authorization", basic(user, password));
    h.put("X-Broker-API-Version", "2.17");
    h.put("Content-Type", "application/json");
    return h;
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The body that names a service and a plan, as provision and bind send it. */
  static String target(String service, String plan) {
    return "{\"service_id\":\"" + service + "\",\"plan_id\":\"" + plan + "\"}";
  }

  private static String query(String service, String plan) {
    return "?service_id=" + service + "&plan_id=" + plan;
  }

  /** {@code PUT /v2/service_instances/{id}<query>} with these headers on top. */
  HttpResponse<String> provision(
      String id, String query, String service, String plan, Map<String, String> extra) {
    Map<String, String> h = headers();
    h.putAll(extra);
    String body =
        "{\"service_id\":\""
            + service
            + "\",\"plan_id\":\""
            + plan
            + "\",\"organization_guid\":\"org\",\"space_guid\":\"space\"}";
    return http.send("PUT", "/v2/service_instances/" + id + query, body, h);
  }

  HttpResponse<String> deprovision(String id, String service, String plan) {
    return http.delete("/v2/service_instances/" + id + query(service, plan), headers());
  }

  HttpResponse<String> bind(String instance, String binding, String service, String plan) {
    return http.send(
        "PUT",
        "/v2/service_instances/" + instance + "/service_bindings/" + binding,
        target(service, plan),
        headers());
  }

  HttpResponse<String> unbind(String instance, String binding, String service, String plan) {
    return http.delete(
        "/v2/service_instances/" + instance + "/service_bindings/" + binding + query(service, plan),
        headers());
  }
}
