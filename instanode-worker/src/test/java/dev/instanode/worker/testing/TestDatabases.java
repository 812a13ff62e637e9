package dev.instanode.worker.testing;

import dev.instanode.core.PostgresUrl;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.testkit.TestPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/** Fresh, migrated databases on the shared embedded Postgres. */
public final class TestDatabases {
  private TestDatabases() {}

  public static PlatformDatabase platform(String prefix) {
    PostgresUrl url = TestPostgres.newDatabase(prefix);
    PlatformDatabase db = PlatformDatabase.connect(url, 8);
    db.migrate();
    return db;
  }

  /** The provisioner's schema in a database of its own, as production may run it. */
  public static ProvisionerDatabase pool(String prefix) {
    ProvisionerDatabase db = ProvisionerDatabase.connect(TestPostgres.newDatabase(prefix), 4);
    db.migrate();
    return db;
  }

  /**
   * {@code real}, except that its first {@code failures} connections are refused, as a database
   * that blinked would refuse them.
   */
  public static DataSource failingFirst(DataSource real, int failures) {
    return refusing(real, n -> n <= failures);
  }

  /** {@code real}, except that its {@code nth} connection (counting from 1) is refused. */
  public static DataSource failingOnly(DataSource real, int nth) {
    return refusing(real, n -> n == nth);
  }

  private static DataSource refusing(DataSource real, IntPredicate refuse) {
    AtomicInteger asked = new AtomicInteger();
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")
                  && refuse.test(asked.incrementAndGet())) {
                throw new SQLException("the platform database refused a connection", "08006");
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** A Jdbi whose every call fails: a database that went away. */
  public static Jdbi unreachable() {
    return Jdbi.create("jdbc:postgresql://127.0.0.1:1/gone?connectTimeout=1", "nobody", "x");
  }
}
