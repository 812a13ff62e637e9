package dev.instanode.worker;

import dev.instanode.provisioner.Provisioner;
import dev.instanode.store.AuditLog;
import dev.instanode.worker.jobs.EnforceLimits;
import dev.instanode.worker.jobs.EntitlementReconciler;
import dev.instanode.worker.jobs.ExpireAnonymous;
import dev.instanode.worker.jobs.ExpireStacks;
import dev.instanode.worker.jobs.InventorySweep;
import dev.instanode.worker.jobs.OrphanDbSweep;
import dev.instanode.worker.jobs.OrphanSweep;
import dev.instanode.worker.jobs.PoolOrphanReaper;
import dev.instanode.worker.jobs.PropagationRunner;
import dev.instanode.worker.jobs.ProvisionerReconciler;
import dev.instanode.worker.jobs.StackReconciler;
import dev.instanode.worker.jobs.TeamDeletion;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Builds one job per {@link JobKind}; the switch is exhaustive, so none can be left out. */
public final class JobRegistry {
  private JobRegistry() {}

  public static List<ScheduledJob> standard(WorkerDependencies d, WorkerSettings settings) {
    Jdbi db = d.platform().jdbi();
    AuditLog audit = d.platform().audit();
    Optional<Provisioner> provisioner = d.provisioner();
    MeterRegistry meters = d.telemetry().meters();
    Clock clock = d.telemetry().clock();
    List<ScheduledJob> jobs = new ArrayList<>();
    for (JobKind kind : JobKind.values()) {
      Job job =
          switch (kind) {
            case EXPIRE_ANONYMOUS ->
                new ExpireAnonymous(db, provisioner, audit, d.plans(), meters, clock);
            case PROVISIONER_RECONCILER ->
                new ProvisionerReconciler(db, provisioner, audit, meters, clock);
            case PROPAGATION_RUNNER -> new PropagationRunner(db, provisioner, audit, meters, clock);
            case ENTITLEMENT_RECONCILER ->
                new EntitlementReconciler(db, provisioner, d.plans(), audit, meters, clock);
            case ENFORCE_LIMITS ->
                new EnforceLimits(db, provisioner, d.plans(), audit, meters, clock);
            case POOL_ORPHAN_REAPER ->
                new PoolOrphanReaper(
                    db, provisioner, settings.poolOrphanReapDestructive(), audit, meters, clock);
            case EXPIRE_STACKS ->
                new ExpireStacks(
                    db,
                    d.stacks().map(WorkerDependencies.StackParts::teardown),
                    d.plans(),
                    meters,
                    clock);
            case TEAM_DELETION ->
                new TeamDeletion(
                    db,
                    provisioner,
                    d.stacks().map(WorkerDependencies.StackParts::teardown),
                    meters,
                    clock);
            case STACK_RECONCILER -> new StackReconciler(db, d.stacks(), meters, clock);
            case ORPHAN_SWEEP ->
                new OrphanSweep(db, d.stacks(), audit, settings.orphanSweep(), meters, clock);
            case INVENTORY_SWEEP ->
                new InventorySweep(db, provisioner, audit, settings.orphanSweep(), meters, clock);
            case ORPHAN_DB_SWEEP ->
                new OrphanDbSweep(
                    db,
                    d.stacks(),
                    audit,
                    settings.orphanDbSweep(),
                    settings.orphanSweep().grace(),
                    meters,
                    clock);
          };
      jobs.add(new ScheduledJob(kind.jobName(), settings.interval(kind), kind.runOnStart(), job));
    }
    return List.copyOf(jobs);
  }
}
