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
 * What the standard jobs need, built by the composition root, in named groups.
 *
 * @param provisioner empty: jobs that would tear down or regrade skip with a WARN, never pretend
 */
public record WorkerDependencies(
    Platform platform, Optional<Provisioner> provisioner, Plans plans, Telemetry telemetry) {
  public WorkerDependencies {
    requireNonNull(platform, "platform is null");
    requireNonNull(provisioner, "provisioner is null");
    requireNonNull(plans, "plans is null");
    requireNonNull(telemetry, "telemetry is null");
  }

  /**
   * The platform database and its audit trail.
   *
   * @param dataSource db-scheduler keeps {@code scheduled_tasks} here
   * @param jdbi the same database, for the repositories
   */
  public record Platform(DataSource dataSource, Jdbi jdbi, AuditLog audit) {
    public Platform {
      requireNonNull(dataSource, "dataSource is null");
      requireNonNull(jdbi, "jdbi is null");
      requireNonNull(audit, "audit is null");
    }
  }

  /** Where jobs count and what time it is. */
  public record Telemetry(MeterRegistry meters, Clock clock) {
    public Telemetry {
      requireNonNull(meters, "meters is null");
      requireNonNull(clock, "clock is null");
    }
  }
}
