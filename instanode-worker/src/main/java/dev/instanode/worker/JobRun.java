package dev.instanode.worker;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.RequestId;
import java.util.UUID;

/** The context of one execution: every log line and downstream call carries it. */
public record JobRun(String job, String runId) {
  public JobRun {
    requireNonNull(job, "job is null");
    requireNonNull(runId, "runId is null");
  }

  public static JobRun start(String job) {
    return new JobRun(job, UUID.randomUUID().toString().substring(0, 8));
  }

  /** Request id for calls this run makes on the provisioner: {@code <job>-<run id>}. */
  public RequestId requestId() {
    return new RequestId(job + "-" + runId);
  }
}
