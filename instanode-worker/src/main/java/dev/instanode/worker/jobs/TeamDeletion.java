package dev.instanode.worker.jobs;

import static dev.instanode.worker.WorkerMetrics.count;
import static java.util.Objects.requireNonNull;

import dev.instanode.core.AuditKind;
import dev.instanode.core.Masking;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.TeamId;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.stacks.StackTeardown;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.InvitationRepository;
import dev.instanode.store.LockTimeouts;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import dev.instanode.store.VaultRepository;
import dev.instanode.worker.Job;
import dev.instanode.worker.JobReport;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.WorkerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code team_deletion}: tears down everything a team whose owner deleted it ({@code
 * deletion_pending}) holds, then tombstones it. Each step is safe to repeat, so a deletion
 * interrupted anywhere resumes on the next run:
 *
 * <ol>
 *   <li>Every resource that may hold infrastructure: marked {@code deleting} under its lock,
 *       dropped through the provisioner's chokepoint (reason {@code team_deleted}), then marked
 *       {@code deleted} in the transaction that counts it on the team row. A drop that fails leaves
 *       the row {@code deleting} for the next run.
 *   <li>Every stack: its namespace deleted through the audited chokepoint, then its row, counted on
 *       the team row in the statement that removes it (also when {@code stack_reconciler} finishes
 *       a teardown this job left {@code deleting}).
 *   <li>Nothing left: under the team's lock, and only if nothing appeared meanwhile, the team
 *       becomes a tombstone, its keys are revoked, its people, invitations and vault secrets are
 *       deleted, and {@code team.tombstoned} is written in the same transaction with {@code
 *       resource_count_destroyed}, {@code namespaces_deleted} and {@code duration_seconds}.
 * </ol>
 *
 * A resource made as the team was being deleted (a request authenticated just before) can land
 * after the tombstone: each run also tears down live resources of tombstoned teams (reason {@code
 * team_tombstoned}), and {@code orphan_sweep} reaps namespaces whose row's team is a tombstone.
 */
public final class TeamDeletion implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(TeamDeletion.class);
  static final int TEAMS_PER_RUN = 20;
  static final int PAGE = 100;

  private final Jdbi platform;
  private final IdentityRepository identities;
  private final ResourceRepository resources;
  private final StackRepository stacks;
  private final Optional<Provisioner> provisioner;
  private final Optional<StackTeardown> teardown;
  private final MeterRegistry meters;
  private final Clock clock;

  public TeamDeletion(
      Jdbi platform,
      Optional<Provisioner> provisioner,
      Optional<StackTeardown> teardown,
      MeterRegistry meters,
      Clock clock) {
    this.platform = requireNonNull(platform, "platform is null");
    this.identities = new IdentityRepository(platform);
    this.resources = new ResourceRepository(platform);
    this.stacks = new StackRepository(platform);
    this.provisioner = requireNonNull(provisioner, "provisioner is null");
    this.teardown = requireNonNull(teardown, "teardown is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public JobReport run(JobRun run) {
    JobReport.Tally tally = new JobReport.Tally();
    for (TeamId team : identities.pendingDeletion(TEAMS_PER_RUN)) {
      try {
        tally.add(deleteTeam(team, run));
      } catch (RuntimeException e) {
        LOG.warn(
            "team_deletion.team_failed team_id={} run_id={} error={}",
            team,
            run.runId(),
            Masking.scrubUrls(e.toString()));
        tally.add("error");
      }
    }
    for (ResourceRecord straggler : resources.undeletedOfTombstonedTeams(PAGE)) {
      tally.add(
          dropResource(straggler.teamId().orElseThrow(), straggler, "team_tombstoned", run)
              ? "straggler_destroyed"
              : "straggler_retry");
    }
    return tally.report();
  }

  /** One team as far as it goes this run: {@code tombstoned}, or why it waits. */
  private String deleteTeam(TeamId team, JobRun run) {
    boolean complete = true;
    // A bounded number of pages a run: a row that will not go cannot hold the job.
    for (int page = 0; page < 10 && complete; page++) {
      List<ResourceRecord> held = resources.undeletedOfTeam(team, PAGE);
      for (ResourceRecord r : held) {
        complete &= dropResource(team, r, "team_deleted", run);
      }
      if (held.size() < PAGE) {
        break;
      }
    }
    complete &= deleteStacks(team, run);
    if (!complete) {
      return "waiting";
    }
    return tombstone(team, run) ? "tombstoned" : "waiting";
  }

  /** Drops one resource, recording it deleted and counted; false when it must be tried again. */
  private boolean dropResource(TeamId team, ResourceRecord r, String reason, JobRun run) {
    if (provisioner.isEmpty()) {
      LOG.warn("team_deletion.waiting reason=no_provisioner team_id={}", team);
      count(meters, WorkerMetrics.TEAM_TEARDOWNS, "kind", "resource", "outcome", "no_provisioner");
      return false;
    }
    try {
      boolean marked =
          platform.inTransaction(h ->
              resources
                  .lockDeletable(h, team, r.token())
                  .map(row -> {
                    resources.markDeleting(h, row.id());
                    return true;
                  })
                  .orElse(false));
      if (!marked) {
        return true; // deleted by another path meanwhile
      }
      provisioner
          .get()
          .deprovision(
              new DeprovisionRequest(
                  r.token(),
                  r.type(),
                  r.providerResourceId().orElse(ProviderResourceId.NONE),
                  reason,
                  run.requestId()));
      platform.useTransaction(h -> {
        LockTimeouts.setLocal(h, Duration.ofSeconds(5));
        if (resources.lockDeleting(h, team, r.token()).isPresent()
            && resources.markDeleted(h, r.id())
            && reason.equals("team_deleted")) {
          IdentityRepository.countDestroyedResource(h, team);
        }
      });
      count(meters, WorkerMetrics.TEAM_TEARDOWNS, "kind", "resource", "outcome", "destroyed");
      return true;
    } catch (RuntimeException e) {
      LOG.warn(
          "team_deletion.resource_retry team_id={} token={} reason={} run_id={} error={}",
          team,
          r.token().masked(),
          reason,
          run.runId(),
          Masking.scrubUrls(e.toString()));
      count(meters, WorkerMetrics.TEAM_TEARDOWNS, "kind", "resource", "outcome", "retry");
      return false;
    }
  }

  /** Every stack of the team torn down; false when one is left for the next run. */
  private boolean deleteStacks(TeamId team, JobRun run) {
    List<StackRecord> left = stacks.pageForTeam(team, Optional.empty(), PAGE);
    if (left.isEmpty()) {
      return true;
    }
    if (teardown.isEmpty()) {
      LOG.warn(
          "team_deletion.waiting reason=no_cluster team_id={} stacks={}: Kubernetes is off",
          team,
          left.size());
      count(meters, WorkerMetrics.TEAM_TEARDOWNS, "kind", "stack", "outcome", "no_cluster");
      return false;
    }
    boolean all = left.size() < PAGE;
    for (StackRecord stack : left) {
      StackTeardown.Outcome outcome =
          teardown.get().delete(stack.slug(), Optional.of(team), "team_deleted", run.requestId());
      switch (outcome) {
        case StackTeardown.Outcome.Deleted d -> {
          // Counted on the team row by the row's removal, in its transaction.
          count(meters, WorkerMetrics.TEAM_TEARDOWNS, "kind", "stack", "outcome", "destroyed");
        }
        case StackTeardown.Outcome.NotFound n -> {}
        case StackTeardown.Outcome.Retry r -> {
          all = false;
          count(meters, WorkerMetrics.TEAM_TEARDOWNS, "kind", "stack", "outcome", "retry");
        }
        case StackTeardown.Outcome.Refused r -> {
          all = false;
          count(meters, WorkerMetrics.TEAM_TEARDOWNS, "kind", "stack", "outcome", "refused");
        }
      }
    }
    return all;
  }

  /** The last step, all in one transaction with its audit row; false when something reappeared. */
  private boolean tombstone(TeamId team, JobRun run) {
    return platform.inTransaction(h -> {
      Optional<IdentityRepository.DeletionProgress> progress =
          IdentityRepository.lockPendingDeletion(h, team);
      if (progress.isEmpty()) {
        return false;
      }
      // Read again under the team's lock: a resource or stack made meanwhile waits a run.
      if (!resources.undeletedOfTeam(team, 1).isEmpty()
          || !stacks.pageForTeam(team, Optional.empty(), 1).isEmpty()) {
        return false;
      }
      IdentityRepository.tombstone(h, team);
      InvitationRepository.deleteAll(h, team);
      VaultRepository.deleteAll(h, team);
      long seconds =
          Math.max(0, Duration.between(progress.get().requestedAt(), clock.instant()).toSeconds());
      AuditLog.writeIn(
          h,
          new AuditEvent(
              Optional.of(team),
              AuditEvent.Actor.SYSTEM,
              AuditKind.TEAM_TOMBSTONED,
              Optional.empty(),
              Optional.empty(),
              "Team deleted: everything it held was torn down",
              Map.of(
                  "resource_count_destroyed", progress.get().resourcesDestroyed(),
                  "namespaces_deleted", progress.get().namespacesDeleted(),
                  "duration_seconds", seconds,
                  "job", run.job()),
              Optional.of(run.requestId().value())));
      count(meters, WorkerMetrics.TEAMS_TOMBSTONED);
      LOG.info(
          "team_deletion.tombstoned team_id={} resources={} namespaces={} seconds={} run_id={}",
          team,
          progress.get().resourcesDestroyed(),
          progress.get().namespacesDeleted(),
          seconds,
          run.runId());
      return true;
    });
  }
}
