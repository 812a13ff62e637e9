package dev.instanode.worker.jobs;

import dev.instanode.store.PendingPropagation;
import dev.instanode.worker.JobRun;
import dev.instanode.worker.decision.HandlerOutcome;

/** Pushes one kind of propagation down to the infrastructure. Must be idempotent. */
@FunctionalInterface
public interface PropagationHandler {
  HandlerOutcome handle(PendingPropagation row, JobRun run);
}
