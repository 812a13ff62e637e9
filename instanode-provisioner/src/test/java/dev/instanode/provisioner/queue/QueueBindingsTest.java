package dev.instanode.provisioner.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.embedded.EmbeddedNatsServer;
import dev.instanode.provisioner.BindingRequest;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.engine.TestProvisioners;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.testkit.TestNats;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bindings of a queue on a real nats-server: a user of each binding's own, on its subjects. */
class QueueBindingsTest {
  private static final Duration WAIT = Duration.ofSeconds(2);
  private static EmbeddedNatsServer nats;
  private static ProvisionerDatabase db;
  private static QueueBackend backend;
  private static LocalProvisioner provisioner;

  @BeforeAll
  static void setUp() {
    assumeThat(TestNats.available()).as(TestNats.MISSING).isTrue();
    nats = TestNats.server();
    db = ProvisionerDatabase.connect(TestPostgres.newDatabase("queuebind"), 4);
    db.migrate();
    backend = new QueueBackend(db.jdbi(), settings(nats.authFile(), nats.pidFile()));
    backend.writeAuthorization();
    provisioner = TestProvisioners.around(backend, Set.of(), new SimpleMeterRegistry());
  }

  @AfterAll
  static void tearDown() {
    if (db != null) {
      db.close();
    }
  }

  private static NatsSettings settings(Path authFile, Path pidFile) {
    return new NatsSettings("127.0.0.1", "127.0.0.1", nats.port(), authFile, pidFile);
  }

  @Test
  void twoBindingsEachConnectAsTheirOwnUserAndTalkWithTheQueuesOwn() throws Exception {
    Made q = provision();
    String aUrl = bind(q, "binding-a");
    String bUrl = bind(q, "binding-b");

    assertThat(user(aUrl)).isEqualTo(login(q, "binding-a")).isNotEqualTo(user(bUrl));
    assertThat(aUrl)
        .matches("nats://bnd_" + q.token() + "_[0-9a-f]{16}:[0-9a-f]{32}@127\\.0\\.0\\.1:[0-9]+");
    // Exactly the queue's subjects, as the queue's own user has them.
    String allow = "[\"" + q.token() + ".>\"]";
    assertThat(Files.readString(nats.authFile()))
        .contains("{user: \"" + user(aUrl) + "\", password: \"$2a$04$")
        .contains("permissions: {publish: {allow: " + allow + "}, subscribe: {allow: " + allow);

    try (Client owner = connect(q.url());
        Client a = connect(aUrl);
        Client b = connect(bUrl)) {
      Subscription ownerHears = subscribe(owner, q.token() + ".from-a");
      Subscription bHears = subscribe(b, q.token() + ".x");
      Subscription aHears = subscribe(a, q.token() + ".x");

      publish(a, q.token() + ".from-a", "hello owner");
      publish(owner, q.token() + ".x", "hello bindings");

      assertThat(text(ownerHears.nextMessage(WAIT))).isEqualTo("hello owner");
      assertThat(text(aHears.nextMessage(WAIT))).isEqualTo("hello bindings");
      assertThat(text(bHears.nextMessage(WAIT))).isEqualTo("hello bindings");
      assertThat(a.errors()).isEmpty();
      assertThat(b.errors()).isEmpty();
    }
  }

  @Test
  void aBindingCannotReachAnotherQueuesSubjects() throws Exception {
    Made q = provision();
    Made other = provision();
    try (Client a = connect(bind(q, "binding-a"));
        Client otherOwner = connect(other.url())) {
      Subscription otherHears = subscribe(otherOwner, other.token() + ".>");
      Subscription aOnOther = subscribe(a, other.token() + ".jobs");
      Subscription aOnAll = subscribe(a, ">");
      publish(a, other.token() + ".jobs", "from a");
      publish(otherOwner, other.token() + ".jobs", "its own");

      assertThat(text(otherHears.nextMessage(WAIT)))
          .as("a's publish never arrives")
          .isEqualTo("its own");
      assertThat(otherHears.nextMessage(Duration.ofMillis(300))).isNull();
      assertThat(aOnOther.nextMessage(Duration.ofMillis(300))).as("a never hears it").isNull();
      assertThat(aOnAll.nextMessage(Duration.ofMillis(300))).as("nor with >").isNull();
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() ->
              assertThat(String.join("\n", a.errors()).toLowerCase())
                  .contains("permissions violation for publish")
                  .contains("permissions violation for subscription"));
    }
  }

  @Test
  void bindingAgainGivesANewPasswordAndTheOldOneIsRefused() throws Exception {
    Made q = provision();
    String first = bind(q, "binding-a");
    Client open = connect(first);
    try {
      String second = bind(q, "binding-a");

      assertThat(user(second)).isEqualTo(user(first));
      assertThat(second).isNotEqualTo(first);
      connect(second).close();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> open.connection().getStatus() != Connection.Status.CONNECTED);
      assertThatThrownBy(() -> connect(first)).isInstanceOf(Exception.class);
      assertThat(rows(q)).containsExactly(user(first));
    } finally {
      open.close();
    }
  }

  @Test
  void droppingOneBindingEndsItAloneAndLeavesTheOtherAndTheQueue() throws Exception {
    Made q = provision();
    String aUrl = bind(q, "binding-a");
    String bUrl = bind(q, "binding-b");
    Client open = connect(aUrl);
    try {
      provisioner.dropBinding(request(q, "binding-a"));
      provisioner.dropBinding(request(q, "binding-a"));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> open.connection().getStatus() != Connection.Status.CONNECTED);
      assertThatThrownBy(() -> connect(aUrl)).isInstanceOf(Exception.class);
      assertThat(rows(q)).containsExactly(user(bUrl));
      assertThat(backend.bindingLogins(q.token(), q.prid()))
          .containsExactly(new BindingLogin(user(bUrl)));
      try (Client owner = connect(q.url());
          Client b = connect(bUrl)) {
        Subscription ownerHears = subscribe(owner, q.token() + ".x");
        publish(b, q.token() + ".x", "still here");
        assertThat(text(ownerHears.nextMessage(WAIT))).isEqualTo("still here");
      }
    } finally {
      open.close();
    }
  }

  @Test
  void rotatingTheQueuesPasswordLeavesItsBindingsAlone() throws Exception {
    Made q = provision();
    String aUrl = bind(q, "binding-a");
    try (Client open = connect(aUrl)) {
      provisioner.rotateCredentials(
          new RotateRequest(q.token(), ResourceType.QUEUE, q.prid(), RequestId.random()));

      connect(aUrl).close();
      Subscription hears = subscribe(open, q.token() + ".x");
      publish(open, q.token() + ".x", "after rotation");
      assertThat(text(hears.nextMessage(WAIT))).isEqualTo("after rotation");
    }
  }

  @Test
  void droppingTheQueueRemovesEveryBindingUser() throws Exception {
    Made q = provision();
    String aUrl = bind(q, "binding-a");
    String bUrl = bind(q, "binding-b");
    Made other = provision();
    String otherUrl = bind(other, "binding-a");
    Client open = connect(aUrl);
    try {
      provisioner.deprovision(
          new DeprovisionRequest(
              q.token(), ResourceType.QUEUE, q.prid(), "user_delete", RequestId.random()));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> open.connection().getStatus() != Connection.Status.CONNECTED);
      for (String url : List.of(q.url(), aUrl, bUrl)) {
        assertThatThrownBy(() -> connect(url)).as(user(url)).isInstanceOf(Exception.class);
      }
      assertThat(rows(q)).isEmpty();
      assertThat(Files.readString(nats.authFile())).doesNotContain(q.token().text());
      connect(otherUrl).close();
    } finally {
      open.close();
    }
  }

  @Test
  void bindingAMissingQueueIsInvalidAndRecordsNothing() {
    Made missing =
        new Made(ResourceToken.random(), ProviderResourceId.of(QueueBackend.PROVIDER), "");
    assertThatThrownBy(() -> bind(missing, "binding-a"))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT));
    assertThat(rows(missing)).isEmpty();
  }

  /** A server that cannot be reloaded: a new binding leaves no row, a renewed one its old hash. */
  @Test
  void aBindingTheServerNeverTookIsRolledBack(@TempDir Path dir) throws Exception {
    Made q = provision();
    String first = bind(q, "renewed");
    String hashBefore = hash(q, "renewed").orElseThrow();
    Path pid = Files.writeString(dir.resolve("nats.pid"), "not a pid\n");
    QueueBackend broken = new QueueBackend(db.jdbi(), settings(dir.resolve("auth.conf"), pid));

    for (String binding : List.of("new", "renewed")) {
      assertThatThrownBy(
              () -> broken.createBinding(q.token(), q.prid(), BindingKey.ofBindingId(binding)))
          .isInstanceOfSatisfying(
              ProvisionerException.class,
              e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.UNAVAILABLE));
    }

    assertThat(rows(q)).containsExactly(user(first));
    assertThat(hash(q, "renewed")).contains(hashBefore);
    connect(first).close();
  }

  private record Made(ResourceToken token, ProviderResourceId prid, String url) {}

  private static Made provision() {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made =
        provisioner.provision(
            new ProvisionRequest(token, ResourceType.QUEUE, Tier.PRO, RequestId.random()));
    return new Made(token, made.providerResourceId(), made.connectionUrl());
  }

  private static BindingRequest request(Made q, String bindingId) {
    return new BindingRequest(
        q.token(),
        ResourceType.QUEUE,
        q.prid(),
        BindingKey.ofBindingId(bindingId),
        RequestId.random());
  }

  private static String bind(Made q, String bindingId) {
    return provisioner.createBinding(request(q, bindingId)).connectionUrl();
  }

  private static String login(Made q, String bindingId) {
    return BindingLogin.of(q.token(), BindingKey.ofBindingId(bindingId)).value();
  }

  private static String user(String url) {
    return URI.create(url).getUserInfo().split(":")[0];
  }

  private static List<String> rows(Made q) {
    return db.jdbi()
        .withHandle(h ->
            h.createQuery(
                    "SELECT username FROM queue_binding_users WHERE token = :t ORDER BY username")
                .bind("t", q.token().value())
                .mapTo(String.class)
                .list());
  }

  private static Optional<String> hash(Made q, String bindingId) {
    return db.jdbi()
        .withHandle(h ->
            h.createQuery("SELECT password_hash FROM queue_binding_users WHERE username = :u")
                .bind("u", login(q, bindingId))
                .mapTo(String.class)
                .findOne());
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
            .connectionTimeout(WAIT)
            .noReconnect()
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

  private static Subscription subscribe(Client c, String subject) throws Exception {
    Subscription s = c.connection().subscribe(subject);
    c.connection().flush(WAIT);
    return s;
  }

  private static void publish(Client c, String subject, String text) throws Exception {
    c.connection().publish(subject, text.getBytes(StandardCharsets.UTF_8));
    c.connection().flush(WAIT);
  }

  private static String text(Message m) {
    assertThat(m).as("a message arrived").isNotNull();
    return new String(m.getData(), StandardCharsets.UTF_8);
  }
}
