package dev.instanode.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.testkit.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebhookRepositoryTest {
  private static PlatformDatabase db;
  private static PostgresUrl url;
  private static WebhookRepository requests;

  @BeforeAll
  static void start() {
    url = TestPostgres.newDatabase("webhooks");
    db = PlatformDatabase.connect(url, 10);
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
  void concurrentSendersNeverLeaveMoreThanThePlanKeepsNorTwoRequestsOneNumber() throws Exception {
    ResourceToken token = receiver();
    try (ExecutorService senders = Executors.newFixedThreadPool(8)) {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        int n = i;
        all.add(senders.submit(() -> requests.store(token, body("c" + n), 5)));
      }
      for (Future<?> f : all) {
        f.get();
      }
    }
    List<WebhookRepository.Received> kept = requests.newestFirst(token, Optional.empty(), 100);
    assertThat(kept).hasSize(5);
    // Numbered under the receiver's lock: no two requests share a number.
    long distinct =
        db.jdbi()
            .withHandle(h ->
                h.createQuery("SELECT count(DISTINCT seq) FROM webhook_requests WHERE token = :t")
                    .bind("t", token.value())
                    .mapTo(Long.class)
                    .one());
    assertThat(distinct).isEqualTo(5L);
  }

  @Test
  void aStoreWaitsForAnExpiryChangingItsReceiverAndThenStoresNothing() throws Exception {
    ResourceToken token = receiver();
    try (Connection expiry = TestPostgres.connect(url)) {
      expiry.setAutoCommit(false);
      try (Statement st = expiry.createStatement()) {
        st.execute("SELECT 1 FROM resources WHERE token = '" + token + "' FOR UPDATE");
      }
      CompletableFuture<Optional<WebhookRepository.Received>> late =
          CompletableFuture.supplyAsync(() -> requests.store(token, body("late"), 3));
      Thread.sleep(300);
      assertThat(late).as("waits for the expiry's lock").isNotDone();
      try (Statement st = expiry.createStatement()) {
        st.execute("UPDATE resources SET status = 'expired' WHERE token = '" + token + "'");
      }
      expiry.commit();
      assertThat(late.get(10, TimeUnit.SECONDS)).isEmpty();
    }
    assertThat(requests.newestFirst(token, Optional.empty(), 10)).isEmpty();
  }

  @Test
  void aReadReturnsAtMostItsBytesOfBodiesButAlwaysOneRequest() {
    ResourceToken token = receiver();
    byte[] twoMiB = new byte[2 * 1024 * 1024];
    for (int i = 0; i < 3; i++) {
      requests.store(
          token,
          new WebhookRepository.Incoming("POST", "/", Optional.empty(), Map.of(), twoMiB, "s"),
          10);
    }
    assertThat(requests.newestFirst(token, Optional.empty(), 10)).hasSize(2);
    assertThat(requests.after(token, 0, 10)).hasSize(2);
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
