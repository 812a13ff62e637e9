package dev.instanode.worker.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.read.ListAppender;
import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.Installation;
import dev.instanode.cluster.StackCluster;
import dev.instanode.cluster.StackObjects;
import dev.instanode.core.names.NamespaceName;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.LoggerFactory;

/**
 * What the namespace sweep tests share, one per test: a cluster over the mock API server (CRUD
 * mode) with bounded retries, namespaces made there as our provisioning makes them, the job's log
 * lines and meters, and the platform's audit rows.
 */
public final class NamespaceSweepRig implements AutoCloseable {
  /** The first page of a namespace list, as the inventory asks for it. */
  public static final String FIRST_PAGE = "/api/v1/namespaces?limit=500";

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final Jdbi platform;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final StackCluster cluster;
  private final Logger log;
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  /**
   * @param job the class whose log lines are captured
   */
  public NamespaceSweepRig(
      KubernetesMockServer server, KubernetesClient client, Jdbi platform, Class<?> job) {
    this.server = server;
    this.client = client;
    this.platform = platform;
    // Bounded retries, so a list the server fails with 500 fails within a second.
    KubernetesClient bounded =
        new KubernetesClientBuilder()
            .withConfig(Clusters.bounded(client.getConfiguration()))
            .build();
    this.cluster = new Fabric8StackCluster(bounded, false, bounded::close);
    this.log = (Logger) LoggerFactory.getLogger(job);
    logged.start();
    log.addAppender(logged);
  }

  public SimpleMeterRegistry meters() {
    return meters;
  }

  public StackCluster cluster() {
    return cluster;
  }

  /** A namespace of ours, as a provision or a deploy would make it: labelled managed-by. */
  public NamespaceName namespace(NamespaceName name) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name.value())
                .addToLabels(StackObjects.MANAGED_BY, StackObjects.MANAGER)
                .addToLabels(Installation.LABEL, Installation.UNNAMED.id())
                .endMetadata()
                .build())
        .create();
    return name;
  }

  public boolean exists(NamespaceName name) {
    return client.namespaces().withName(name.value()).get() != null;
  }

  /** Every namespace list call fails, as an unhappy API server fails it. */
  public void failEveryList() {
    server.expect().get().withPath(FIRST_PAGE).andReturn(500, "etcd is unhappy").always();
  }

  /**
   * The list answers {@code name} without a {@code creationTimestamp} (CRUD mode always sets one).
   */
  public void listWithoutAge(NamespaceName name) {
    server
        .expect()
        .get()
        .withPath(FIRST_PAGE)
        .andReturn(
            200,
            new NamespaceListBuilder()
                .addToItems(
                    new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name.value())
                        .addToLabels(StackObjects.MANAGED_BY, StackObjects.MANAGER)
                        .addToLabels(Installation.LABEL, Installation.UNNAMED.id())
                        .endMetadata()
                        .build())
                .build())
        .always();
  }

  public double counter(String name, String... tags) {
    Counter c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  public double gauge(String name, String... tags) {
    return meters.get(name).tags(tags).gauge().value();
  }

  public long auditRows(String kind) {
    return platform.withHandle(h ->
        h.createQuery("SELECT count(*) FROM audit_log WHERE kind = :k")
            .bind("k", kind)
            .mapTo(Long.class)
            .one());
  }

  public long auditRowsWithATeam() {
    return platform.withHandle(h ->
        h.createQuery("SELECT count(*) FROM audit_log WHERE team_id IS NOT NULL")
            .mapTo(Long.class)
            .one());
  }

  public List<ILoggingEvent> logged() {
    return List.copyOf(logged.list);
  }

  public List<ILoggingEvent> warnings() {
    return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
  }

  /** The job's lines that start with {@code prefix}. */
  public List<String> lines(String prefix) {
    return logged.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith(prefix))
        .toList();
  }

  /**
   * Runs {@code job} while {@code act} runs on the job's own thread each time it logs a line
   * starting with {@code prefix}: to make something happen at an exact step of a run.
   */
  public <T> T whenLogged(String prefix, Consumer<String> act, Supplier<T> job) {
    AppenderBase<ILoggingEvent> hook =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent e) {
            if (e.getFormattedMessage().startsWith(prefix)) {
              act.accept(e.getFormattedMessage());
            }
          }
        };
    hook.start();
    log.addAppender(hook);
    try {
      return job.get();
    } finally {
      log.detachAppender(hook);
    }
  }

  @Override
  public void close() {
    log.detachAppender(logged);
    cluster.close();
  }
}
