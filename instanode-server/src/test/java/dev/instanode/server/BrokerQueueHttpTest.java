package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Queues through the broker against the real server and a real nats-server: each binding is a NATS
 * user of its own on the instance's subjects, an unbind refuses that user alone, and a deprovision
 * refuses them all.
 */
class BrokerQueueHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PASSWORD = "broker-password-0123456789";
  private static String QUEUE;
  private static String QUEUE_HOBBY;

  @RegisterExtension static final RunningApi api = RunningApi.with(settings());

  private static String[] settings() {
    List<String> pairs = new ArrayList<>(List.of("OSB_USERNAME", "cf", "OSB_PASSWORD", PASSWORD));
    TestNats.settings()
        .ifPresent(nats ->
            nats.forEach((name, value) -> {
              pairs.add(name);
              pairs.add(value);
            }));
    return pairs.toArray(String[]::new);
  }

  @BeforeAll
  static void needsNats() {
    assumeThat(TestNats.available()).as(TestNats.MISSING).isTrue();
    BrokerIds ids = BrokerIds.of(api.env());
    QUEUE = ids.service(ResourceType.QUEUE);
    QUEUE_HOBBY = ids.plan(ResourceType.QUEUE, Tier.HOBBY);
  }

  private static OsbCalls osb() {
    return new OsbCalls(api.http(), "cf", PASSWORD);
  }

  private static JsonNode bind(String instance, String binding) {
    HttpResponse<String> res = osb().bind(instance, binding, QUEUE, QUEUE_HOBBY);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body()).get("credentials");
  }

  private static Connection connect(JsonNode credentials) throws Exception {
    URI uri = URI.create(credentials.get("uri").asString());
    return Nats.connect(
        new Options.Builder()
            .server("nats://" + uri.getHost() + ":" + uri.getPort())
            .userInfo(
                credentials.get("username").asString(), credentials.get("password").asString())
            .connectionTimeout(Duration.ofSeconds(2))
            .maxReconnects(0)
            .build());
  }

  @Test
  void eachQueueBindingIsANatsUserOfItsOwnOnTheInstancesSubjects() throws Exception {
    String instance = UUID.randomUUID().toString();
    String other = UUID.randomUUID().toString();
    HttpResponse<String> made = osb().provision(instance, "", QUEUE, QUEUE_HOBBY, Map.of());
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    assertThat(osb().provision(other, "", QUEUE, QUEUE_HOBBY, Map.of()).statusCode())
        .isEqualTo(201);
    JsonNode a = bind(instance, "jobs-a");
    JsonNode b = bind(instance, "jobs-b");
    JsonNode stranger = bind(other, "jobs-c");
    assertThat(a.get("username").asString())
        .startsWith("bnd_")
        .isNotEqualTo(b.get("username").asString());
    String prefix = a.get("subject_prefix").asString();
    assertThat(prefix).isEqualTo(b.get("subject_prefix").asString()).endsWith(".");
    String strangers = stranger.get("subject_prefix").asString();

    try (Connection ca = connect(a);
        Connection cb = connect(b);
        Connection cs = connect(stranger)) {
      Subscription bListens = cb.subscribe(prefix + "jobs");
      Subscription strangerListens = cs.subscribe(strangers + "jobs");
      cb.flush(Duration.ofSeconds(2));
      cs.flush(Duration.ofSeconds(2));
      ca.publish(prefix + "jobs", "work".getBytes(StandardCharsets.UTF_8));
      ca.publish(strangers + "jobs", "intrusion".getBytes(StandardCharsets.UTF_8));
      ca.flush(Duration.ofSeconds(2));
      assertThat(new String(bListens.nextMessage(Duration.ofSeconds(2)).getData()))
          .isEqualTo("work");
      assertThat(strangerListens.nextMessage(Duration.ofMillis(500))).isNull();
    }

    assertThat(osb().unbind(instance, "jobs-a", QUEUE, QUEUE_HOBBY).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> connect(a)).isInstanceOf(IOException.class);
    try (Connection stillB = connect(b)) {
      assertThat(stillB.getStatus()).isEqualTo(Connection.Status.CONNECTED);
    }

    assertThat(osb().deprovision(instance, QUEUE, QUEUE_HOBBY).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> connect(b)).isInstanceOf(IOException.class);
    try (Connection stillStranger = connect(stranger)) {
      assertThat(stillStranger.getStatus()).isEqualTo(Connection.Status.CONNECTED);
    }
    assertThat(osb().deprovision(other, QUEUE, QUEUE_HOBBY).statusCode()).isEqualTo(200);
  }
}
