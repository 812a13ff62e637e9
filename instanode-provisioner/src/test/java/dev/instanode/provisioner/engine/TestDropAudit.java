package dev.instanode.provisioner.engine;

import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.testkit.TestPostgres;

/**
 * One migrated provisioner database per test JVM for the chokepoint's audit rows. Tests tell their
 * rows apart by request id, so they never need their own.
 */
public final class TestDropAudit {
  private static DropAudit audit;

  private TestDropAudit() {}

  public static synchronized DropAudit shared() {
    if (audit == null) {
      ProvisionerDatabase db = ProvisionerDatabase.connect(TestPostgres.newDatabase("drops"), 2);
      db.migrate();
      audit = new DropAudit(db.jdbi());
    }
    return audit;
  }
}
