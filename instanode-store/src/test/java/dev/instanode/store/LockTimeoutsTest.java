package dev.instanode.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.instanode.testkit.TestPostgres;
import java.sql.SQLException;
import java.time.Duration;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LockTimeoutsTest {
  private static PlatformDatabase db;

  @BeforeAll
  static void start() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("locks"), 4);
    db.jdbi()
        .useHandle(h -> {
          h.execute("CREATE TABLE lock_probe (id int PRIMARY KEY)");
          h.execute("INSERT INTO lock_probe VALUES (1)");
        });
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void aLockHeldElsewhereEndsTheWaitWithATimeoutTheCallerCanTellApart() {
    try (Handle holder = db.jdbi().open();
        Handle waiter = db.jdbi().open()) {
      holder.begin();
      holder.execute("SELECT id FROM lock_probe WHERE id = 1 FOR UPDATE");
      waiter.begin();
      LockTimeouts.setLocal(waiter, Duration.ofMillis(200));
      Throwable waited =
          catchThrowable(() -> waiter.execute("SELECT id FROM lock_probe WHERE id = 1 FOR UPDATE"));
      waiter.rollback();
      holder.rollback();

      assertThat(waited).isNotNull();
      assertThat(LockTimeouts.isTimeout(waited)).isTrue();
    }
  }

  @Test
  void theTimeoutEndsWithTheTransaction() {
    String after =
        db.jdbi()
            .withHandle(h -> {
              h.begin();
              LockTimeouts.setLocal(h, Duration.ofSeconds(3));
              h.commit();
              return h.createQuery("SHOW lock_timeout").mapTo(String.class).one();
            });
    assertThat(after).isEqualTo("0");
  }

  @Test
  void otherFailuresAreNotTimeouts() {
    assertThat(LockTimeouts.isTimeout(new SQLException("duplicate key", "23505"))).isFalse();
    assertThat(LockTimeouts.isTimeout(new RuntimeException(new SQLException("x", "55P03"))))
        .isTrue();
    assertThat(LockTimeouts.isTimeout(null)).isFalse();
    assertThatThrownBy(() -> LockTimeouts.setLocal(null, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
