package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A network is for rate limits, never for access: no header, shared /24 or over-limit reply hands
 * one person another's resource. The api sits behind a trusted proxy at 127.0.0.1 here.
 */
class NetworkIsolationHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension
  static final RunningApi api = RunningApi.with("TRUSTED_PROXIES", "127.0.0.1/32,10.0.0.0/8");

  @Test
  void clientsWhoseProxySendsAddressesWithPortsStayApart() {
    // Some load balancers append ip:port. Parsed as garbage, both used to become the proxy.
    JsonNode b = provision(Map.of("X-Forwarded-For", "198.51.100.7:1234"));
    JsonNode c = provision(Map.of("X-Forwarded-For", "203.0.113.9:5555"));

    assertThat(listedTokens(c)).containsExactly(c.get("token").asString());
    JsonNode claimed = claim(Map.of("token", c.get("upgrade_jwt").asString()));
    String cKey = claimed.get("api_key").asString();
    BadInputHttpTest.assertEnvelope(
        api.http()
            .get("/api/v1/resources/" + b.get("token").asString() + "/credentials", bearer(cKey)),
        404,
        "not_found");
  }

  @Test
  void aChainWithNoUsableHopIsRefusedAndCreatesNothing() throws Exception {
    long before = AnonymousGateHttpTest.count(api.env(), "SELECT count(*) FROM resources");
    for (String header : List.of("not-an-address", "unknown", "198.51.100.7:port", "")) {
      BadInputHttpTest.assertEnvelope(
          api.http().post("/db/new", "{\"name\":\"x\"}", json(Map.of("X-Forwarded-For", header))),
          400,
          "invalid_forwarded_for");
    }
    assertThat(AnonymousGateHttpTest.count(api.env(), "SELECT count(*) FROM resources"))
        .isEqualTo(before);
  }

  @Test
  void behindAnXForwardedForProxyAForwardedHeaderIsTheClientsOwnAndNeverRead() {
    for (int i = 0; i < 5; i++) {
      provision(Map.of("X-Forwarded-For", "198.51.109.1", "Forwarded", "for=192.0.2." + i));
    }
    BadInputHttpTest.assertEnvelope(
        api.http()
            .post(
                "/db/new",
                "{\"name\":\"x\"}",
                json(Map.of("X-Forwarded-For", "198.51.109.1", "Forwarded", "for=192.0.2.77"))),
        429,
        "provision_limit_reached");
  }

  @Test
  void aClientWritingItsOwnForwardedForCannotPoseAsAnotherNetwork() {
    // The client claims 192.0.2.1; the trusted proxy 10.0.0.1 appended the address it saw.
    for (int i = 0; i < 5; i++) {
      provision(Map.of("X-Forwarded-For", "192.0.2." + i + ", 198.51.101.7, 10.0.0.1"));
    }
    HttpResponse<String> sixth =
        api.http()
            .post(
                "/db/new",
                "{\"name\":\"spoof\"}",
                json(Map.of("X-Forwarded-For", "192.0.2.99, 198.51.101.8, 10.0.0.1")));
    BadInputHttpTest.assertEnvelope(sixth, 429, "provision_limit_reached");
  }

  @Test
  void neighboursOnOneNetworkNeverSeeOrClaimEachOthersResources() throws Exception {
    JsonNode b = provision(Map.of("X-Forwarded-For", "198.51.102.7"));
    JsonNode c = provision(Map.of("X-Forwarded-For", "198.51.102.8"));

    assertThat(listedTokens(c)).containsExactly(c.get("token").asString());
    JsonNode preview =
        JSON.readTree(
            api.http().get("/claim/preview?t=" + enc(c.get("upgrade_jwt").asString())).body());
    assertThat(preview.get("items")).hasSize(1);
    assertThat(preview.get("items").get(0).get("token").asString())
        .isEqualTo(c.get("token").asString());
    assertThat(preview.get("resources")).isEqualTo(preview.get("items"));

    claim(Map.of("token", c.get("upgrade_jwt").asString()));
    assertThat(
            AnonymousGateHttpTest.count(
                api.env(),
                "SELECT count(*) FROM resources WHERE team_id IS NULL AND token = '"
                    + b.get("token").asString()
                    + "'"))
        .as("the neighbour's resource stays anonymous")
        .isEqualTo(1);
  }

  @Test
  void overTheLimitTheAnswerIs429WithNoResourceInIt() {
    for (int i = 0; i < 5; i++) {
      provision(Map.of("X-Forwarded-For", "198.51.103." + (10 + i)));
    }
    HttpResponse<String> over =
        api.http()
            .post(
                "/db/new", "{\"name\":\"more\"}", json(Map.of("X-Forwarded-For", "198.51.103.99")));
    BadInputHttpTest.assertEnvelope(over, 429, "provision_limit_reached");
    JsonNode body = JSON.readTree(over.body());
    assertThat(body.has("connection_url")).isFalse();
    assertThat(body.has("token")).isFalse();
    assertThat(body.get("agent_action").asString()).contains("reuse").contains("claim");
  }

  @Test
  void anAgentsChainOfProvisionsClaimsTogether() throws Exception {
    JsonNode first = provision(Map.of("X-Forwarded-For", "198.51.104.1"));
    JsonNode second =
        provision(
            Map.of(
                "X-Forwarded-For",
                "198.51.104.1",
                "X-Instanode-Upgrade",
                first.get("upgrade_jwt").asString()));
    assertThat(listedTokens(second))
        .containsExactly(first.get("token").asString(), second.get("token").asString());
    assertThat(second.has("warning")).isFalse();

    JsonNode other = provision(Map.of("X-Forwarded-For", "198.51.105.1"));
    JsonNode claimed =
        claim(
            Map.of(
                "tokens",
                List.of(
                    second.get("upgrade_jwt").asString(), other.get("upgrade_jwt").asString())));
    assertThat(claimed.get("message").asString()).contains("Claimed 3 resource(s)");
    String teamId = claimed.get("team_id").asString();
    assertThat(
            AnonymousGateHttpTest.count(
                api.env(), "SELECT count(*) FROM resources WHERE team_id = '" + teamId + "'"))
        .isEqualTo(3);
    BadInputHttpTest.assertEnvelope(
        api.http().get("/claim/preview?t=" + enc(other.get("upgrade_jwt").asString())),
        409,
        "already_claimed");
  }

  @Test
  void aForgedUpgradeTokenCarriesNothingAndSaysSo() {
    JsonNode made =
        provision(
            Map.of(
                "X-Forwarded-For",
                "198.51.106.1",
                "X-Instanode-Upgrade",
                "eyJhbGciOiJIUzI1NiJ9.eyJ0b2siOlsiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIl19.x"));
    assertThat(listedTokens(made)).containsExactly(made.get("token").asString());
    assertThat(made.get("warning").asString()).contains("X-Instanode-Upgrade");
  }

  @Test
  void aClaimWithAnyUsedOrForgedTokenClaimsNothing() throws Exception {
    JsonNode a = provision(Map.of("X-Forwarded-For", "198.51.107.1"));
    JsonNode b = provision(Map.of("X-Forwarded-For", "198.51.108.1"));
    claim(Map.of("token", b.get("upgrade_jwt").asString()));

    Map<String, Object> both =
        Map.of(
            "tokens",
            List.of(a.get("upgrade_jwt").asString(), b.get("upgrade_jwt").asString()),
            "email",
            "late@example.com");
    BadInputHttpTest.assertEnvelope(postClaim(both), 409, "already_claimed");
    BadInputHttpTest.assertEnvelope(
        postClaim(Map.of("tokens", "not-a-list", "email", "x@example.com")), 400, "invalid_token");
    BadInputHttpTest.assertEnvelope(
        postClaim(Map.of("tokens", List.of(), "email", "x@example.com")), 400, "invalid_token");
    assertThat(
            AnonymousGateHttpTest.count(
                api.env(),
                "SELECT count(*) FROM resources WHERE team_id IS NULL AND token = '"
                    + a.get("token").asString()
                    + "'"))
        .isEqualTo(1);
  }

  private static JsonNode provision(Map<String, String> headers) {
    HttpResponse<String> res = api.http().post("/db/new", "{\"name\":\"iso\"}", json(headers));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static List<String> listedTokens(JsonNode provisioned) {
    HttpResponse<String> res =
        api.http().get("/claim/preview?t=" + enc(provisioned.get("upgrade_jwt").asString()));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    List<String> tokens = new ArrayList<>();
    JSON.readTree(res.body()).get("items").forEach(i -> tokens.add(i.get("token").asString()));
    return tokens;
  }

  private static int emails;

  private static JsonNode claim(Map<String, Object> body) {
    Map<String, Object> withEmail = new HashMap<>(body);
    withEmail.putIfAbsent("email", "isolated" + (++emails) + "@example.com");
    HttpResponse<String> res = postClaim(withEmail);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  private static HttpResponse<String> postClaim(Map<String, Object> body) {
    return api.http().postJson("/claim", JSON.writeValueAsString(body));
  }

  private static Map<String, String> json(Map<String, String> headers) {
    Map<String, String> all = new HashMap<>(headers);
    all.put("Content-Type", "application/json");
    return all;
  }

  private static Map<String, String> bearer(String key) {
    return Teams.bearer(key);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
