package dev.instanode.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ResourceToken;
import dev.instanode.testkit.TestPostgres;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebhookRepositoryTest {
  private static PlatformDatabase db;
  private static WebhookRepository requests;

  @BeforeAll
  static void start() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("webhooks"), 2);
    db.migrate();
    requests = new WebhookRepository(db.jdbi());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static WebhookRepository.Incoming body(String text) {
    return new WebhookRepository.Incoming(
        "POST",
        "/",
        Optional.empty(),
        Map.of("content-type", List.of("text/plain")),
        text.getBytes(),
        "10.0.0.1");
  }

  @Test
  void storingOneDeletesWhatTheReceiverHoldsBeyondItsNewestAndNothingOfAnother() {
    ResourceToken mine = ResourceToken.random();
    ResourceToken theirs = ResourceToken.random();
    for (int i = 0; i < 3; i++) {
      requests.store(theirs, body("t" + i), 3);
    }
    for (int i = 1; i <= 5; i++) {
      requests.store(mine, body("m" + i), 3);
    }
    assertThat(requests.newestFirst(mine, Optional.empty(), 10))
        .extracting(r -> new String(r.body()))
        .containsExactly("m5", "m4", "m3");
    assertThat(requests.newestFirst(theirs, Optional.empty(), 10)).hasSize(3);
  }

  @Test
  void aReceiverKeepingOneHoldsOnlyTheNewestAndAStreamStartsAfterIt() {
    ResourceToken token = ResourceToken.random();
    requests.store(token, body("a"), 1);
    WebhookRepository.Received b = requests.store(token, body("b"), 1);
    assertThat(requests.newestFirst(token, Optional.empty(), 10))
        .extracting(r -> new String(r.body()))
        .containsExactly("b");
    assertThat(requests.newestId(token)).isEqualTo(b.id());
    WebhookRepository.Received c = requests.store(token, body("c"), 1);
    assertThat(requests.after(token, b.id(), 10))
        .extracting(WebhookRepository.Received::id)
        .containsExactly(c.id());
  }
}
