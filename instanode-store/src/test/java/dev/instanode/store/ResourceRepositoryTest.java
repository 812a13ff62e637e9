package dev.instanode.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.AuditKind;
import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.testkit.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ResourceRepositoryTest {
  private static PlatformDatabase db;
  private static ResourceRepository resources;

  @BeforeAll
  static void migrate() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("store"), 4);
    db.migrate();
    assertThat(db.pendingMigrations()).isZero();
    resources = new ResourceRepository(db.jdbi());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void migrationIsIdempotent() {
    String version = db.currentVersion();
    assertThat(db.migrate()).isEqualTo(version);
    assertThat(db.pendingMigrations()).isZero();
  }

  @Test
  void theInstallationHasOneIdMadeOnceByTheMigrations() {
    String id = db.installationId();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    db.migrate();
    assertThat(db.installationId()).isEqualTo(id);
    assertThatThrownBy(() ->
            db.jdbi()
                .useHandle(
                    h -> h.execute("INSERT INTO installation (id) VALUES (gen_random_uuid())")))
        .hasMessageContaining("duplicate key");
  }

  @Test
  void pendingRowBecomesActiveOnceWithItsEncryptedUrl() {
    Instant expiry = Instant.now().plus(24, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS);
    ResourceRecord row = resources.insertPending(newResource(Optional.of(expiry)));
    assertThat(row.status()).isEqualTo(ResourceStatus.PENDING);
    assertThat(row.id().value()).isNotEqualTo(row.token().value());
    assertThat(row.expiresAt()).contains(expiry);

    assertThat(
            resources.activate(
                row.id(),
                "sealed",
                ProviderResourceId.parse("local:0"),
                Optional.empty(),
                Optional.of(2)))
        .isPresent();
    assertThat(
            resources.activate(
                row.id(),
                "again",
                ProviderResourceId.parse("local:0"),
                Optional.empty(),
                Optional.of(2)))
        .as("a second activation must not overwrite")
        .isEmpty();

    ResourceRecord active = resources.findByToken(row.token()).orElseThrow();
    assertThat(active.status()).isEqualTo(ResourceStatus.ACTIVE);
    assertThat(active.encryptedConnectionUrl()).contains("sealed");
    assertThat(active.appliedConnLimit()).contains(2);
  }

  @Test
  void markFailedOnlyMovesPendingRowsAndClearsTheUrl() {
    ResourceRecord row = resources.insertPending(newResource(Optional.empty()));
    resources.markFailed(row.token(), Optional.of(ProviderResourceId.parse("local:0")));
    ResourceRecord failed = resources.findByToken(row.token()).orElseThrow();
    assertThat(failed.status()).isEqualTo(ResourceStatus.FAILED);
    assertThat(failed.providerResourceId()).contains(ProviderResourceId.parse("local:0"));
    assertThat(
            resources.activate(
                row.id(),
                "x",
                ProviderResourceId.parse("local:0"),
                Optional.empty(),
                Optional.empty()))
        .isEmpty();
  }

  @Test
  void aPoolHitIsInsertedActiveInOneStatementAndCanBeFailedByToken() {
    ResourceRecord row =
        resources.insertActive(
            newResource(Optional.empty()),
            "sealed",
            ProviderResourceId.parse("local:0;pooltok:pool-abc"),
            Optional.empty(),
            Optional.of(2));
    assertThat(row.status()).isEqualTo(ResourceStatus.ACTIVE);
    assertThat(row.encryptedConnectionUrl()).contains("sealed");
    assertThat(row.providerResourceId())
        .contains(ProviderResourceId.parse("local:0;pooltok:pool-abc"));

    resources.markFailed(row.token(), Optional.empty());
    ResourceRecord failed = resources.findByToken(row.token()).orElseThrow();
    assertThat(failed.status()).isEqualTo(ResourceStatus.FAILED);
    assertThat(failed.encryptedConnectionUrl()).isEmpty();
    assertThat(failed.providerResourceId())
        .contains(ProviderResourceId.parse("local:0;pooltok:pool-abc"));
  }

  @Test
  void schemaAcceptsEveryTierAndStatusOfTheRegistriesAndNothingElse() {
    for (Tier tier : Tier.values()) {
      db.jdbi()
          .useHandle(h ->
              h.execute(
                  "INSERT INTO resources (token, resource_type, name, tier) VALUES"
                      + " (gen_random_uuid(), 'postgres', 'n', ?)",
                  tier.wireName()));
    }
    for (ResourceStatus status : ResourceStatus.values()) {
      db.jdbi()
          .useHandle(h ->
              h.execute(
                  "INSERT INTO resources (token, resource_type, name, status) VALUES"
                      + " (gen_random_uuid(), 'postgres', 'n', ?)",
                  status.wireName()));
    }
    for (ResourceType type : ResourceType.values()) {
      db.jdbi()
          .useHandle(h ->
              h.execute(
                  "INSERT INTO resources (token, resource_type, name) VALUES"
                      + " (gen_random_uuid(), ?, 'n')",
                  type.wireName()));
    }
    assertThatThrownBy(() ->
            db.jdbi()
                .useHandle(h ->
                    h.execute(
                        "INSERT INTO resources (token, resource_type, name, status)"
                            + " VALUES (gen_random_uuid(), 'postgres', 'n', 'reaped')")))
        .hasMessageContaining("check constraint");
  }

  @Test
  void auditRowsMayHaveNoTeam() {
    AuditLog audit = new AuditLog(db.jdbi());
    audit.write(
        new AuditEvent(
            Optional.empty(),
            AuditEvent.Actor.SYSTEM,
            AuditKind.PROVISION,
            Optional.of("postgres"),
            Optional.empty(),
            "cluster-scoped",
            Map.of("k", "v"),
            Optional.of("req-1")));
    String meta =
        db.jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT metadata->>'k' FROM audit_log WHERE request_id = 'req-1'"
                            + " AND team_id IS NULL")
                    .mapTo(String.class)
                    .one());
    assertThat(meta).isEqualTo("v");
    audit.close();
  }

  @Test
  void theConnectionCapInForceIsRecordedOnAnActiveRowAtAnyTierOrOnlyAtTheOneNamed() {
    ResourceRecord row = resources.insertPending(newResource(Optional.empty()));
    resources.activate(
        row.id(), "sealed", ProviderResourceId.parse("local:0"), Optional.empty(), Optional.of(2));

    assertThat(resources.recordAppliedConnLimit(row.id(), 7, Optional.empty())).isTrue();
    assertThat(appliedConnLimit(row)).isEqualTo(7);
    assertThat(resources.recordAppliedConnLimit(row.id(), 9, Optional.of(Tier.PRO)))
        .as("the row is anonymous, not pro: left alone")
        .isFalse();
    assertThat(appliedConnLimit(row)).isEqualTo(7);
    assertThat(resources.recordAppliedConnLimit(row.id(), 9, Optional.of(Tier.ANONYMOUS))).isTrue();
    assertThat(appliedConnLimit(row)).isEqualTo(9);
  }

  private static int appliedConnLimit(ResourceRecord row) {
    return db.jdbi()
        .withHandle(h ->
            h.createQuery("SELECT applied_conn_limit FROM resources WHERE id = :id")
                .bind("id", row.id().value())
                .mapTo(Integer.class)
                .one());
  }

  @Test
  void statusesAreReadByTokenAndATokenWithNoRowIsAbsent() {
    long liveBefore = resources.countInStatuses(Set.of(ResourceStatus.PENDING));
    ResourceRecord pending = resources.insertPending(newResource(Optional.empty()));
    ResourceRecord failed = resources.insertPending(newResource(Optional.empty()));
    resources.markFailed(failed.token(), Optional.empty());
    ResourceToken none = ResourceToken.random();

    assertThat(resources.statusesOf(List.of(pending.token(), failed.token(), none)))
        .containsOnly(
            Map.entry(pending.token(), ResourceStatus.PENDING),
            Map.entry(failed.token(), ResourceStatus.FAILED));
    assertThat(resources.statusesOf(List.of())).isEmpty();
    assertThat(resources.countInStatuses(Set.of(ResourceStatus.PENDING))).isEqualTo(liveBefore + 1);
  }

  @Test
  void theLatestEndedRowsTypeIsReadPerTokenAndALiveUnendedOrUnknownOneIsAbsent() {
    ResourceToken deletedRedis = ended(ResourceType.REDIS, "deleted");
    ResourceToken expiredPostgres = ended(ResourceType.POSTGRES, "expired");
    ResourceToken failedRedis = ended(ResourceType.REDIS, "failed");
    ResourceToken activeRedis = ended(ResourceType.REDIS, "active");
    ResourceToken legacyMongo = ResourceToken.random();
    db.jdbi()
        .useHandle(h ->
            h.execute(
                "INSERT INTO resources (token, resource_type, name, status) VALUES (?, 'mongodb',"
                    + " 'n', 'deleted')",
                legacyMongo.value()));

    assertThat(
            resources.latestEndedTypesOf(
                List.of(
                    deletedRedis,
                    expiredPostgres,
                    failedRedis,
                    activeRedis,
                    legacyMongo,
                    ResourceToken.random())))
        .containsOnly(
            Map.entry(deletedRedis, ResourceType.REDIS),
            Map.entry(expiredPostgres, ResourceType.POSTGRES));
    assertThat(resources.latestEndedTypesOf(List.of())).isEmpty();
  }

  private static ResourceToken ended(ResourceType type, String status) {
    ResourceToken token = ResourceToken.random();
    db.jdbi()
        .useHandle(h ->
            h.execute(
                "INSERT INTO resources (token, resource_type, name, status) VALUES (?, ?, 'n', ?)",
                token.value(),
                type.wireName(),
                status));
    return token;
  }

  @Test
  void statusesReadUnderTheLockWaitForAChangeInFlightAndHoldBackOnesAfterTheRead()
      throws Exception {
    ResourceToken token = ended(ResourceType.REDIS, "expired");
    String revive = "UPDATE resources SET status = 'active' WHERE token = ?";
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        Handle writer = db.jdbi().open()) {
      writer.begin();
      writer.execute(revive, token.value());
      Future<Optional<ResourceStatus>> read =
          pool.submit(() ->
              resources.withStatusesLocked(
                  List.of(token), Duration.ofSeconds(10), s -> Optional.ofNullable(s.get(token))));
      Thread.sleep(300);
      assertThat(read).as("waits for the change in flight").isNotDone();
      writer.commit();
      assertThat(read.get(10, TimeUnit.SECONDS)).as("and sees it").contains(ResourceStatus.ACTIVE);

      // While the caller acts, a change to the rows it read waits (here, until its own timeout).
      Optional<RuntimeException> heldBack =
          resources.withStatusesLocked(
              List.of(token), Duration.ofSeconds(10), s -> tryToMark(token, "deleted"));
      assertThat(heldBack).hasValueSatisfying(e -> assertThat(LockTimeouts.isTimeout(e)).isTrue());

      writer.begin();
      writer.execute(revive, token.value());
      assertThatThrownBy(
              () -> resources.withStatusesLocked(List.of(token), Duration.ofMillis(200), s -> s))
          .as("a lock held past the timeout fails the read; nothing was decided")
          .satisfies(e -> assertThat(LockTimeouts.isTimeout(e)).isTrue());
      writer.rollback();
    }
  }

  /** Sets the status on a connection of its own, waiting at most 200 ms for the row's lock. */
  private static Optional<RuntimeException> tryToMark(ResourceToken token, String status) {
    try {
      db.jdbi()
          .useTransaction(h -> {
            LockTimeouts.setLocal(h, Duration.ofMillis(200));
            h.execute("UPDATE resources SET status = ? WHERE token = ?", status, token.value());
          });
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(e);
    }
  }

  @Test
  void aPoolTokenIsNamedByTheRowWhoseInfrastructureCarriesItInAnyStatus() {
    PoolToken claimed = PoolToken.random();
    PoolToken failedOne = PoolToken.random();
    PoolToken nobodys = PoolToken.random();
    resources.insertActive(
        newResource(Optional.empty()),
        "sealed",
        ProviderResourceId.parse("local:0;pooltok:" + claimed.value()),
        Optional.empty(),
        Optional.of(2));
    ResourceRecord failed =
        resources.insertActive(
            newResource(Optional.empty()),
            "sealed",
            ProviderResourceId.parse("redis:0;pooltok:" + failedOne.value()),
            Optional.empty(),
            Optional.of(2));
    resources.markFailed(failed.token(), Optional.empty());

    assertThat(resources.poolTokensNamed(List.of(claimed, failedOne, nobodys)))
        .containsExactlyInAnyOrder(claimed, failedOne);
    assertThat(resources.poolTokensNamed(List.of())).isEmpty();
  }

  private static NewResource newResource(Optional<Instant> expiry) {
    return new NewResource(
        ResourceToken.random(),
        Optional.empty(),
        ResourceType.POSTGRES,
        "app",
        "development",
        Tier.ANONYMOUS,
        Optional.of("fp"),
        expiry,
        RequestId.random());
  }
}
