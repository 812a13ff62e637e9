package dev.instanode.server;

import dev.instanode.core.Plans;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.objects.ObjectStore;
import dev.instanode.objects.ObjectStoreSettings;
import dev.instanode.store.AuditLog;
import dev.instanode.store.PlatformDatabase;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every role shares: metrics, the plan table, the URL key, the platform database, and the
 * storage bucket when one is configured.
 */
record SharedParts(
    PrometheusMeterRegistry meters,
    Plans plans,
    AesGcm aes,
    PlatformDatabase db,
    AuditLog audit,
    Optional<ObjectStore> objects) {

  private static final Logger LOG = LoggerFactory.getLogger(SharedParts.class);

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
        owned.own(new AuditLog(db.jdbi())),
        config.objectStore().flatMap(settings -> openBucket(settings)).map(owned::own));
  }

  /**
   * A bucket that cannot be reached or made stops the start: storage that answers 201 and then
   * fails every presign would report a success that did not happen. A store that would copy an
   * object named by an unsigned header is not used at all (storage answers 503): there a tenant's
   * presigned PUT could copy another tenant's object into its own prefix.
   */
  private static Optional<ObjectStore> openBucket(ObjectStoreSettings settings) {
    ObjectStore store = ObjectStore.open(settings);
    try {
      store.ensureBucket();
      if (!store.refusesUnsignedCopy()) {
        LOG.error(
            "storage.off reason=store_copies_unsigned_source bucket={} endpoint={}: a presigned"
                + " PUT sent with an unsigned x-amz-copy-source copied another object; put the"
                + " store behind one that refuses unsigned x-amz-* headers (AWS S3 does)",
            settings.bucket(),
            settings.endpoint());
        store.close();
        return Optional.empty();
      }
      return Optional.of(store);
    } catch (RuntimeException e) {
      store.close();
      throw new IllegalStateException("cannot use the storage bucket " + settings, e);
    }
  }
}
