package dev.instanode.server;

import dev.instanode.worker.Worker;
import dev.instanode.worker.WorkerDependencies;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker role: its jobs over the platform database and the provisioner. */
final class WorkerAssembly {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerAssembly.class);

  private WorkerAssembly() {}

  static void start(
      Config config,
      Application.Options options,
      SharedParts shared,
      ProvisionerAccess access,
      Optional<StackAssembly.Parts> stacks,
      Owned owned) {
    owned.own(
        Worker.start(
            new WorkerDependencies(
                new WorkerDependencies.Platform(
                    shared.db().dataSource(), shared.db().jdbi(), shared.audit()),
                Optional.of(access.provisioner()),
                // The same cluster and objects as the api's: one view of every stack.
                stacks.map(s ->
                    new WorkerDependencies.StackParts(
                        s.teardown(), s.observer(), s.applier(), s.cluster(), s.guard())),
                shared.plans(),
                new WorkerDependencies.Telemetry(shared.meters(), options.clock())),
            config.worker()));
    LOG.info("worker.started");
  }
}
