package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Queues over HTTP against a real nats-server: each tenant is a NATS user confined to its own
 * subjects, changed on the running server by rewriting its authorization and reloading it.
 */
class QueueHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger NETWORK = new AtomicInteger(10);

  private static Map<String, String> env;
  private static Application app;
  private static HttpJson http;

  @BeforeAll
  static void start() {
    assumeThat(TestNats.available()).as(TestNats.MISSING).isTrue();
    env = TestApplications.environment();
    env.putAll(TestNats.settings().orElseThrow());
    env.put("INSTANODE_ANON_TTL", "10s");
    env.put("INSTANODE_JOB_EXPIRE_ANONYMOUS_INTERVAL", "1s");
    env.put("INSTANODE_WORKER_POLL_INTERVAL", "1s");
    app =
        Application.start(
            Config.from(env),
            Set.of(Role.API, Role.WORKER),
            new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()));
    http = new HttpJson(app.port());
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  private static Map<String, String> anonymous() {
    Map<String, String> h = new HashMap<>();
    h.put("Content-Type", "application/json");
    h.put("X-Forwarded-For", "10.99." + NETWORK.getAndIncrement() + ".9");
    return h;
  }

  private static JsonNode queue(Map<String, String> headers) {
    HttpResponse<String> res = http.post("/queue/new", "{\"name\":\"jobs\"}", headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  /** A connection that records the server's permission errors. */
  private record Client(Connection connection, List<String> errors) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      connection.close();
    }
  }

  private static Client connect(String url) throws Exception {
    List<String> errors = new CopyOnWriteArrayList<>();
    URI uri = URI.create(url);
    String[] user = uri.getUserInfo().split(":", 2);
    Options options =
        new Options.Builder()
            .server("nats://" + uri.getHost() + ":" + uri.getPort())
            .userInfo(user[0], user[1])
            .maxReconnects(0)
            .errorListener(
                new ErrorListener() {
                  @Override
                  public void errorOccurred(Connection conn, String error) {
                    errors.add(error);
                  }
                })
            .build();
    return new Client(Nats.connect(options), errors);
  }

  private static String text(Message m) {
    return new String(m.getData(), StandardCharsets.UTF_8);
  }

  @Test
  void aQueueIsANatsUrlWhoseUserReachesOnlyItsOwnSubjects() throws Exception {
    JsonNode a = queue(anonymous());
    JsonNode b = queue(anonymous());
    String urlA = a.get("connection_url").asString();
    String tokenA = a.get("token").asString();
    String tokenB = b.get("token").asString();
    assertThat(urlA).matches("nats://usr_[0-9a-f]{32}:[0-9a-f]{32}@127\\.0\\.0\\.1:[0-9]+");
    assertThat(a.get("key_prefix").asString()).isEqualTo(tokenA + ".");
    assertThat(a.get("resource_type").asString()).isEqualTo("queue");

    try (Client ca = connect(urlA);
        Client cb = connect(b.get("connection_url").asString())) {
      // Its own subjects work.
      Subscription own = ca.connection().subscribe(tokenA + ".jobs");
      ca.connection().flush(Duration.ofSeconds(2));
      ca.connection().publish(tokenA + ".jobs", "mine".getBytes(StandardCharsets.UTF_8));
      assertThat(text(own.nextMessage(Duration.ofSeconds(2)))).isEqualTo("mine");

      // B listens on its own subjects; A tries every way in.
      Subscription bListens = cb.connection().subscribe(tokenB + ".>");
      cb.connection().flush(Duration.ofSeconds(2));
      Subscription aOnB = ca.connection().subscribe(tokenB + ".jobs");
      Subscription aOnAll = ca.connection().subscribe(">");
      ca.connection().publish(tokenB + ".jobs", "from a".getBytes(StandardCharsets.UTF_8));
      ca.connection().flush(Duration.ofSeconds(2));
      cb.connection().publish(tokenB + ".jobs", "b's own".getBytes(StandardCharsets.UTF_8));
      cb.connection().flush(Duration.ofSeconds(2));

      Message first = bListens.nextMessage(Duration.ofSeconds(2));
      assertThat(text(first)).as("A's publish never reaches B").isEqualTo("b's own");
      assertThat(bListens.nextMessage(Duration.ofMillis(300))).isNull();
      assertThat(aOnB.nextMessage(Duration.ofMillis(300))).as("A never sees B's subject").isNull();
      assertThat(aOnAll.nextMessage(Duration.ofMillis(300))).as("nor with >").isNull();
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() ->
              assertThat(String.join("\n", ca.errors()).toLowerCase())
                  .contains("permissions violation for publish")
                  .contains("permissions violation for subscription"));
    }
  }

  /** Claimed into a team, a queue keeps its URL and is the team's resource. */
  @Test
  void aClaimedQueueKeepsWorking() throws Exception {
    JsonNode made = queue(anonymous());
    Map<String, String> team = Teams.bearer(Teams.claim(http, made).get("api_key").asString());
    String token = made.get("token").asString();
    JsonNode item = JSON.readTree(http.get("/api/v1/resources/" + token, team).body()).get("item");
    assertThat(item.get("resource_type").asString()).isEqualTo("queue");
    try (Client c = connect(made.get("connection_url").asString())) {
      Subscription own = c.connection().subscribe(token + ".after-claim");
      c.connection().flush(Duration.ofSeconds(2));
      c.connection().publish(token + ".after-claim", "ok".getBytes(StandardCharsets.UTF_8));
      assertThat(text(own.nextMessage(Duration.ofSeconds(2)))).isEqualTo("ok");
    }
  }

  /** Rotation gives a new password that works; the old one is refused and its session ends. */
  @Test
  void rotatingAQueuesCredentialsEndsTheOldPassword() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    Map<String, String> key = Teams.bearer(team.apiKey());
    JsonNode made = queue(key);
    String oldUrl = made.get("connection_url").asString();
    Client old = connect(oldUrl);
    HttpResponse<String> rotated =
        http.post(
            "/api/v1/resources/" + made.get("token").asString() + "/rotate-credentials", "{}", key);
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    String newUrl = JSON.readTree(rotated.body()).get("connection_url").asString();
    assertThat(newUrl).isNotEqualTo(oldUrl);
    connect(newUrl).close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> old.connection().getStatus() != Connection.Status.CONNECTED);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> connect(oldUrl))
        .isInstanceOf(Exception.class);
  }

  /** A hobby team holds 3 queues at once: a fourth is refused until one is deleted. */
  @Test
  void aTeamHoldsAsManyQueuesAsItsPlanSays() {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    Map<String, String> key = Teams.bearer(team.apiKey());
    String first = queue(key).get("token").asString();
    queue(key);
    queue(key);
    HttpResponse<String> fourth = http.post("/queue/new", "{\"name\":\"jobs\"}", key);
    assertThat(fourth.statusCode()).as(fourth.body()).isEqualTo(402);
    assertThat(JSON.readTree(fourth.body()).get("error").asString())
        .isEqualTo("queue_limit_reached");
    assertThat(http.delete("/api/v1/resources/" + first, key).statusCode()).isEqualTo(200);
    queue(key);
  }

  @Test
  void aDeletedQueuesUserIsRefusedAndItsConnectionEnds() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(env, Tier.HOBBY);
    Map<String, String> key = Teams.bearer(team.apiKey());
    JsonNode made = queue(key);
    String url = made.get("connection_url").asString();
    Client live = connect(url);
    assertThat(http.delete("/api/v1/resources/" + made.get("token").asString(), key).statusCode())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> live.connection().getStatus() != Connection.Status.CONNECTED);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> connect(url))
        .as("its URL stops working")
        .isInstanceOf(Exception.class);
  }

  @Test
  void anAnonymousQueueExpiresAndItsUrlStopsWorking() throws Exception {
    JsonNode made = queue(anonymous());
    String url = made.get("connection_url").asString();
    connect(url).close();
    String token = made.get("token").asString();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() ->
            assertThat(
                    AnonymousGateHttpTest.count(
                        env,
                        "SELECT count(*) FROM resources WHERE token = '"
                            + token
                            + "' AND status = 'expired'"))
                .isEqualTo(1));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> connect(url))
        .isInstanceOf(Exception.class);
    assertThat(
            AnonymousGateHttpTest.count(
                env,
                "SELECT count(*) FROM provisioner.drop_audit WHERE reason = 'expired'"
                    + " AND resource_type = 'queue' AND event = 'deprovision.dropped'"))
        .isGreaterThanOrEqualTo(1);
  }
}
