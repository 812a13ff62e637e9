package dev.instanode.worker;

import dev.instanode.worker.jobs.EnforceLimits;
import dev.instanode.worker.jobs.EntitlementReconciler;
import dev.instanode.worker.jobs.ExpireAnonymous;
import dev.instanode.worker.jobs.PoolOrphanReaper;
import dev.instanode.worker.jobs.PropagationRunner;
import dev.instanode.worker.jobs.ProvisionerReconciler;
import java.util.ArrayList;
import java.util.List;

/** Builds one job per {@link JobKind}; the switch is exhaustive, so none can be left out. */
public final class JobRegistry {
  private JobRegistry() {}

  public static List<ScheduledJob> standard(WorkerDependencies d, WorkerSettings settings) {
    List<ScheduledJob> jobs = new ArrayList<>();
    for (JobKind kind : JobKind.values()) {
      Job job =
          switch (kind) {
            case EXPIRE_ANONYMOUS ->
                new ExpireAnonymous(
                    d.platform(), d.provisioner(), d.audit(), d.plans(), d.meters(), d.clock());
            case PROVISIONER_RECONCILER ->
                new ProvisionerReconciler(
                    d.platform(), d.provisioner(), d.audit(), d.meters(), d.clock());
            case PROPAGATION_RUNNER ->
                new PropagationRunner(
                    d.platform(), d.provisioner(), d.audit(), d.meters(), d.clock());
            case ENTITLEMENT_RECONCILER ->
                new EntitlementReconciler(
                    d.platform(), d.provisioner(), d.plans(), d.audit(), d.meters(), d.clock());
            case ENFORCE_LIMITS ->
                new EnforceLimits(
                    d.platform(), d.provisioner(), d.plans(), d.audit(), d.meters(), d.clock());
            case POOL_ORPHAN_REAPER ->
                new PoolOrphanReaper(
                    d.platform(),
                    d.provisioner(),
                    settings.poolOrphanReapDestructive(),
                    d.audit(),
                    d.meters(),
                    d.clock());
          };
      jobs.add(new ScheduledJob(kind.jobName(), settings.interval(kind), kind.runOnStart(), job));
    }
    return List.copyOf(jobs);
  }
}
