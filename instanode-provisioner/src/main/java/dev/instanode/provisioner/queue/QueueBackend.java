package dev.instanode.provisioner.queue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.Secrets;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.InfraName;
import dev.instanode.core.names.QueueUser;
import dev.instanode.provisioner.InventoryItem;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.engine.HeldOnWriteBackend;
import dev.instanode.provisioner.engine.PartialProvisionException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Queues on one NATS server, as per-user permissions: each queue is a user {@code usr_<hex>}
 * allowed to publish and subscribe under its token's subjects only ({@code <token>.>}). Users live
 * in the provisioner's {@code queue_users}; every change rewrites the server's authorization file
 * from that table and reloads it, then proves the change took (a new user connects; a dropped one
 * is refused) before it reports success. Reloading closes a removed user's connections.
 *
 * <p>A binding of a queue is one more user, {@code bnd_<token>_<binding key>} in {@code
 * queue_binding_users}, with exactly its queue's subjects. The file holds a binding only while its
 * queue's user is there, so a queue's drop shuts its bindings out in the same reload; their rows go
 * when the chokepoint drops them next.
 */
public final class QueueBackend implements HeldOnWriteBackend {
  static final String PROVIDER = "nats:shared";

  /**
   * The least bcrypt allows. A password is 128 random bits, so a slower hash adds nothing against
   * guessing, while nats-server checks every connected client's password again on each reload.
   */
  private static final int BCRYPT_COST = 4;

  /** Serialises every rewrite of the server's file across processes sharing this database. */
  private static final long AUTH_FILE_LOCK = 0x696e_7175_6575_6573L;

  private static final Duration TAKES_EFFECT_WITHIN = Duration.ofSeconds(5);

  private final Jdbi provisionerDb;
  private final NatsSettings settings;
  private final NatsAuthorization authorization;
  private final ReentrantLock writing = new ReentrantLock();

  public QueueBackend(Jdbi provisionerDb, NatsSettings settings) {
    this.provisionerDb = provisionerDb;
    this.settings = settings;
    this.authorization = new NatsAuthorization(settings, hash(Secrets.hex(32)));
  }

  @Override
  public ResourceType type() {
    return ResourceType.QUEUE;
  }

  @Override
  public String backendLabel() {
    return "nats";
  }

  /** The server's file as the table says; run at start so a lost or stale file is rewritten. */
  public void writeAuthorization() {
    apply();
  }

  /**
   * Records the user, rewrites and reloads, then connects as it: a queue whose URL does not work is
   * never reported made. A failure after the row is written is partial, so the provisioner rolls it
   * back through the chokepoint (row removed, file rewritten).
   */
  @Override
  public ProvisionResult provision(InfraKey key, Tier tier, RequestId requestId) {
    ResourceToken token = token(key);
    String username = QueueUser.of(token).value();
    String password = Secrets.hex(16);
    try {
      provisionerDb.useHandle(h ->
          h.createUpdate(
                  "INSERT INTO queue_users (token, username, password_hash) VALUES (:t, :u, :h)")
              .bind("t", token.value())
              .bind("u", username)
              .bind("h", hash(password))
              .execute());
    } catch (JdbiException e) {
      throw unavailable("queue user could not be recorded", e);
    }
    try {
      apply();
      awaitAccepted(username, password);
    } catch (ProvisionerException e) {
      throw new PartialProvisionException(ProviderResourceId.of(PROVIDER), e);
    }
    return new ProvisionResult(
        url(username, password),
        ProviderResourceId.of(PROVIDER),
        Optional.of(token.text() + "."),
        -1);
  }

  private static String hash(String password) {
    return new String(
        BCrypt.withDefaults().hash(BCRYPT_COST, password.toCharArray()), StandardCharsets.UTF_8);
  }

  private String url(String username, String password) {
    return "nats://"
        + username
        + ":"
        + password
        + "@"
        + settings.publicHost()
        + ":"
        + settings.port();
  }

  @Override
  public List<InfraName> objectNames(InfraKey key) {
    return List.of(QueueUser.of(token(key)));
  }

  /** Removes the user and reloads the server, which ends its connections; idempotent. */
  @Override
  public void drop(InfraKey key, ProviderResourceId providerResourceId) {
    ResourceToken token = token(key);
    try {
      provisionerDb.useHandle(h ->
          h.createUpdate("DELETE FROM queue_users WHERE token = :t")
              .bind("t", token.value())
              .execute());
    } catch (JdbiException e) {
      throw unavailable("queue user could not be removed", e);
    }
    apply();
  }

  /**
   * A user of the binding's own with exactly its queue's subjects and a password of its own; bound
   * again, it gets a new password, and the reload closes connections made with the old one. The URL
   * is returned only once the new password connects; if it does not, the previous password (or no
   * user, when the binding is new) is put back.
   *
   * @throws ProvisionerException {@code INVALID_ARGUMENT} when the queue's user does not exist;
   *     nothing is recorded then
   */
  @Override
  public String createBinding(
      InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    ResourceToken token = token(key);
    String username = BindingLogin.of(token, binding).value();
    String password = Secrets.hex(16);
    Optional<String> previous = recordBinding(token, binding, username, hash(password));
    try {
      apply();
      awaitAccepted(username, password);
    } catch (ProvisionerException e) {
      try {
        previous.ifPresentOrElse(
            old -> setBindingHash(token, binding, old), () -> deleteBinding(token, binding));
        apply();
      } catch (ProvisionerException second) {
        e.addSuppressed(second);
      }
      throw e;
    }
    return url(username, password);
  }

  /**
   * Writes the binding's user with {@code hash}, returning the hash it had before (empty when it is
   * new). The queue's row is read {@code FOR SHARE}: a drop of the queue running at once either
   * finishes first (and this refuses) or waits for this to commit (and then lists this binding
   * among those it drops), so no binding row outlives its queue unseen.
   */
  private Optional<String> recordBinding(
      ResourceToken token, BindingKey binding, String username, String hash) {
    try {
      return provisionerDb.inTransaction(h -> {
        boolean queueExists =
            h.createQuery("SELECT true FROM queue_users WHERE token = :t FOR SHARE")
                .bind("t", token.value())
                .mapTo(Boolean.class)
                .findOne()
                .isPresent();
        if (!queueExists) {
          throw new ProvisionerException(
              ProvisionerException.Kind.INVALID_ARGUMENT, "no queue user for this token", null);
        }
        Optional<String> old =
            h.createQuery(
                    "SELECT password_hash FROM queue_binding_users"
                        + " WHERE token = :t AND binding_key = :b FOR UPDATE")
                .bind("t", token.value())
                .bind("b", binding.value())
                .mapTo(String.class)
                .findOne();
        h.createUpdate(
                "INSERT INTO queue_binding_users (token, binding_key, username, password_hash)"
                    + " VALUES (:t, :b, :u, :h)"
                    + " ON CONFLICT (token, binding_key) DO UPDATE"
                    + " SET password_hash = EXCLUDED.password_hash")
            .bind("t", token.value())
            .bind("b", binding.value())
            .bind("u", username)
            .bind("h", hash)
            .execute();
        return old;
      });
    } catch (JdbiException e) {
      throw unavailable("queue binding user could not be recorded", e);
    }
  }

  private void setBindingHash(ResourceToken token, BindingKey binding, String hash) {
    try {
      provisionerDb.useHandle(h ->
          h.createUpdate(
                  "UPDATE queue_binding_users SET password_hash = :h"
                      + " WHERE token = :t AND binding_key = :b")
              .bind("h", hash)
              .bind("t", token.value())
              .bind("b", binding.value())
              .execute());
    } catch (JdbiException e) {
      throw unavailable("queue binding user could not be changed", e);
    }
  }

  private void deleteBinding(ResourceToken token, BindingKey binding) {
    try {
      provisionerDb.useHandle(h ->
          h.createUpdate("DELETE FROM queue_binding_users WHERE token = :t AND binding_key = :b")
              .bind("t", token.value())
              .bind("b", binding.value())
              .execute());
    } catch (JdbiException e) {
      throw unavailable("queue binding user could not be removed", e);
    }
  }

  /**
   * Removes the binding's user and reloads the server, which ends its connections; the queue and
   * its other users stay. Idempotent: with no row it still rewrites and reloads, so a retry after a
   * failed reload completes the drop.
   */
  @Override
  public void dropBinding(InfraKey key, ProviderResourceId providerResourceId, BindingKey binding) {
    deleteBinding(token(key), binding);
    apply();
  }

  /** The binding users of the queue the table still holds. */
  @Override
  public List<BindingLogin> bindingLogins(InfraKey key, ProviderResourceId providerResourceId) {
    ResourceToken token = token(key);
    try {
      return provisionerDb.withHandle(h ->
          h
              .createQuery(
                  "SELECT username FROM queue_binding_users WHERE token = :t ORDER BY username")
              .bind("t", token.value())
              .mapTo(String.class)
              .list()
              .stream()
              .filter(u -> BindingLogin.keyOf(u).filter(token::equals).isPresent())
              .map(BindingLogin::new)
              .toList());
    } catch (JdbiException e) {
      throw unavailable("queue binding users could not be read", e);
    }
  }

  /**
   * Writes the file from the table and reloads, holding a database lock for the whole step: two
   * processes (an api and a worker each with a provisioner) must not interleave, or the one that
   * read the table first could write last and bring back a removed user.
   */
  private void apply() {
    writing.lock();
    try {
      provisionerDb.useTransaction(h -> {
        h.execute("SELECT pg_advisory_xact_lock(?)", AUTH_FILE_LOCK);
        List<NatsAuthorization.User> users =
            h.createQuery(
                    "SELECT token, username, password_hash FROM queue_users"
                        + " UNION ALL"
                        + " SELECT b.token, b.username, b.password_hash"
                        + " FROM queue_binding_users b JOIN queue_users q ON q.token = b.token"
                        + " ORDER BY token, username")
                .map((rs, ctx) ->
                    new NatsAuthorization.User(
                        rs.getString("username"),
                        rs.getString("password_hash"),
                        rs.getString("token")))
                .list();
        authorization.apply(users);
      });
    } catch (JdbiException | IllegalStateException e) {
      throw unavailable("the queue server's authorization could not be changed", e);
    } finally {
      writing.unlock();
    }
  }

  /**
   * Waits until the server has reloaded and lets the user in; a queue that cannot connect fails.
   */
  private void awaitAccepted(String username, String password) {
    long deadline = System.nanoTime() + TAKES_EFFECT_WITHIN.toNanos();
    while (!connects(username, password)) {
      if (System.nanoTime() > deadline) {
        throw unavailable("the queue server did not accept the new user", null);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unavailable("interrupted while the queue server reloaded", e);
      }
    }
  }

  private boolean connects(String username, String password) {
    Options options =
        new Options.Builder()
            .server("nats://" + settings.host() + ":" + settings.port())
            .userInfo(username, password)
            .connectionTimeout(Duration.ofSeconds(2))
            .maxReconnects(0)
            .noReconnect()
            .build();
    Connection c = null;
    try {
      c = Nats.connect(options);
      return c.getStatus() == Connection.Status.CONNECTED;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      if (c != null) {
        try {
          c.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static ResourceToken token(InfraKey key) {
    if (!(key instanceof ResourceToken token)) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT, "a queue is never pooled", null);
    }
    return token;
  }

  private static ProvisionerException unavailable(String message, Throwable cause) {
    return new ProvisionerException(ProvisionerException.Kind.UNAVAILABLE, message, cause);
  }

  /** Every queue user the table holds, aged from when it was made. */
  @Override
  public List<InventoryItem> inventory() {
    try {
      return provisionerDb.withHandle(h ->
          h.createQuery("SELECT token, created_at FROM queue_users")
              .map((rs, ctx) ->
                  new InventoryItem(
                      new ResourceToken(rs.getObject("token", java.util.UUID.class)),
                      1,
                      Optional.of(rs.getTimestamp("created_at").toInstant()),
                      false))
              .list());
    } catch (JdbiException e) {
      throw unavailable("queue users could not be read", e);
    }
  }

  /** JetStream is off: a queue keeps no messages. */
  @Override
  public long storageBytes(InfraKey key, ProviderResourceId providerResourceId) {
    return 0;
  }

  /**
   * A new password; the old one is refused (and its connections end) once the server has reloaded.
   * If the new one cannot be proven to work, the old hash is put back, so the password the customer
   * holds keeps working.
   */
  @Override
  public String rotateCredentials(InfraKey key, ProviderResourceId providerResourceId) {
    ResourceToken token = token(key);
    String username = QueueUser.of(token).value();
    String password = Secrets.hex(16);
    Optional<String> old;
    try {
      old =
          provisionerDb.withHandle(h ->
              h.createQuery("SELECT password_hash FROM queue_users WHERE token = :t")
                  .bind("t", token.value())
                  .mapTo(String.class)
                  .findOne());
    } catch (JdbiException e) {
      throw unavailable("queue user could not be read", e);
    }
    if (old.isEmpty()) {
      throw new ProvisionerException(
          ProvisionerException.Kind.INVALID_ARGUMENT, "no queue user for this token", null);
    }
    setHash(token, hash(password));
    try {
      apply();
      awaitAccepted(username, password);
    } catch (ProvisionerException e) {
      setHash(token, old.get());
      try {
        apply();
      } catch (ProvisionerException second) {
        e.addSuppressed(second);
      }
      throw e;
    }
    return url(username, password);
  }

  private void setHash(ResourceToken token, String hash) {
    try {
      provisionerDb.useHandle(h ->
          h.createUpdate("UPDATE queue_users SET password_hash = :h WHERE token = :t")
              .bind("h", hash)
              .bind("t", token.value())
              .execute());
    } catch (JdbiException e) {
      throw unavailable("queue user could not be changed", e);
    }
  }
}
