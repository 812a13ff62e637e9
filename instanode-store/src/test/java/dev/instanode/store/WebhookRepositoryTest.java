package dev.instanode.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
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

  /** An active receiver: only those are stored to. */
  private static ResourceToken receiver() {
    return new ResourceRepository(db.jdbi())
        .insertActive(
            new NewResource(
                ResourceToken.random(),
                Optional.empty(),
                ResourceType.WEBHOOK,
                "hooks",
                "development",
                Tier.ANONYMOUS,
                Optional.of("fp"),
                Optional.empty(),
                RequestId.random()),
            "enc",
            ProviderResourceId.of("platform:webhook"),
            Optional.empty(),
            Optional.empty())
        .token();
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
    ResourceToken mine = receiver();
    ResourceToken theirs = receiver();
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
  void nothingIsStoredForAReceiverThatIsNotActive() {
    ResourceToken gone = receiver();
    db.jdbi()
        .useHandle(h ->
            h.execute("UPDATE resources SET status = 'deleted' WHERE token = ?", gone.value()));
    assertThat(requests.store(gone, body("late"), 3)).isEmpty();
    assertThat(requests.store(ResourceToken.random(), body("nobody"), 3)).isEmpty();
    assertThat(requests.newestFirst(gone, Optional.empty(), 10)).isEmpty();
  }

  @Test
  void aReceiverKeepingOneHoldsOnlyTheNewestAndAStreamStartsAfterIt() {
    ResourceToken token = receiver();
    requests.store(token, body("a"), 1);
    WebhookRepository.Received b = requests.store(token, body("b"), 1).orElseThrow();
    assertThat(requests.newestFirst(token, Optional.empty(), 10))
        .extracting(r -> new String(r.body()))
        .containsExactly("b");
    assertThat(requests.newestId(token)).isEqualTo(b.id());
    WebhookRepository.Received c = requests.store(token, body("c"), 1).orElseThrow();
    assertThat(requests.after(token, b.id(), 10))
        .extracting(WebhookRepository.Received::id)
        .containsExactly(c.id());
  }
}
