package dev.instanode.worker;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.Plans;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.store.AuditLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * What the standard jobs need, built by the composition root.
 *
 * @param platformDataSource the platform database; db-scheduler keeps {@code scheduled_tasks} here
 * @param platform Jdbi over the same database
 * @param provisioner empty: jobs that would tear down or regrade skip with a WARN, never pretend
 */
public record WorkerDependencies(
    DataSource platformDataSource,
    Jdbi platform,
    Optional<Provisioner> provisioner,
    AuditLog audit,
    Plans plans,
    MeterRegistry meters,
    Clock clock) {
  public WorkerDependencies {
    requireNonNull(platformDataSource, "platformDataSource is null");
    requireNonNull(platform, "platform is null");
    requireNonNull(provisioner, "provisioner is null");
    requireNonNull(audit, "audit is null");
    requireNonNull(plans, "plans is null");
    requireNonNull(meters, "meters is null");
    requireNonNull(clock, "clock is null");
  }
}
