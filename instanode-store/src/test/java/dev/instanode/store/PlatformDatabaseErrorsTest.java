package dev.instanode.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.instanode.testkit.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A failed statement is logged with its stack; nothing in that text may quote a bound secret. */
class PlatformDatabaseErrorsTest {
  private static PlatformDatabase db;

  @BeforeAll
  static void migrate() {
    db = PlatformDatabase.connect(TestPostgres.newDatabase("errors"), 2);
    db.jdbi().useHandle(h -> h.execute("CREATE TABLE secrets (hash text UNIQUE)"));
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void aFailedStatementNamesTheStatementButNotItsValues() {
    String secret = "hash-" + "s3cr3t".repeat(4);
    Throwable nul =
        catchThrowable(() ->
            db.jdbi()
                .useHandle(h ->
                    h.createUpdate("INSERT INTO secrets (hash) VALUES (:hash)")
                        .bind("hash", secret + "\0")
                        .execute()));
    db.jdbi()
        .useHandle(h ->
            h.createUpdate("INSERT INTO secrets (hash) VALUES (:hash)")
                .bind("hash", secret)
                .execute());
    Throwable duplicate =
        catchThrowable(() ->
            db.jdbi()
                .useHandle(h ->
                    h.createUpdate("INSERT INTO secrets (hash) VALUES (:hash)")
                        .bind("hash", secret)
                        .execute()));

    for (Throwable failure : new Throwable[] {nul, duplicate}) {
      assertThat(failure).isNotNull();
      assertThat(stackText(failure)).contains("INSERT INTO secrets").doesNotContain("s3cr3t");
    }
    assertThat(stackText(duplicate)).contains("secrets_hash_key");
  }

  private static String stackText(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
