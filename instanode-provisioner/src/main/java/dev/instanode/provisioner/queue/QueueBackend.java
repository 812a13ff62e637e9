package dev.instanode.provisioner.queue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.Secrets;
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
            h.createQuery("SELECT token, username, password_hash FROM queue_users ORDER BY token")
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
