package dev.instanode.server;

import dev.instanode.core.Plans;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** What every role shares: metrics, the plan table, the URL key, the platform database. */
record SharedParts(
    PrometheusMeterRegistry meters, Plans plans, AesGcm aes, PlatformDatabase db, AuditLog audit) {

  static SharedParts build(Config config, Application.Options options, Owned owned) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    PlatformDatabase db =
        owned.own(
            PlatformDatabase.connect(
                config.databaseUrl(), config.databasePoolSize(), config.databasePoolTimeout()));
    if (options.migrateOnStart()) {
      db.migrate();
    } else if (db.pendingMigrations() > 0) {
      throw new IllegalStateException(
          "the platform database has "
              + db.pendingMigrations()
              + " pending migration(s); run `instanode migrate` first");
    }
    return new SharedParts(
        meters,
        Plans.bundled(),
        AesGcm.fromHexKey(config.aesKey()),
        db,
        owned.own(new AuditLog(db.jdbi())));
  }
}
