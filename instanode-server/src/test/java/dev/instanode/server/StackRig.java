package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.cluster.ServiceAddresses;
import dev.instanode.cluster.StackCluster;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The api with stacks on a fabric8 mock API server (CRUD mode) whose state the test sets: pods
 * stuck, deployments available, namespaces gone. Anonymous calls come from the network a test
 * names, so the anonymous gate and "its own network" are the test's to arrange.
 */
final class StackRig implements AutoCloseable {
  static final JsonMapper JSON = JsonMapper.builder().build();

  final Map<String, String> env;
  final Application app;
  final HttpJson http;
  final KubernetesClient kube;

  private StackRig(Map<String, String> env, Application app, KubernetesClient kube) {
    this.env = env;
    this.app = app;
    this.http = new HttpJson(app.port());
    this.kube = kube;
  }

  /** The api role, its stacks on the mock server {@code mock} is a client of. */
  static StackRig start(KubernetesClient mock, Set<Role> roles, Map<String, String> extra) {
    return start(mock, roles, extra, Optional.empty());
  }

  /**
   * As {@link #start(KubernetesClient, Set, Map)}; with {@code dedicated}, a dedicated plan's
   * resources get their own servers on the mock cluster, their Services resolved by it (without,
   * they go on the shared backend, as with no cluster).
   */
  static StackRig start(
      KubernetesClient mock,
      Set<Role> roles,
      Map<String, String> extra,
      Optional<ServiceAddresses> dedicated) {
    Map<String, String> env = TestApplications.environment();
    env.put("DEDICATED_BACKENDS", dedicated.isPresent() ? "auto" : "off");
    env.putAll(extra);
    // Bounded waits, as production's: a failing cluster answers within seconds.
    KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Clusters.bounded(mock.getConfiguration())).build();
    StackCluster cluster = new Fabric8StackCluster(client, false, client::close);
    Application.Options options =
        new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC())
            .withCluster(cluster);
    Application app =
        Application.start(
            Config.from(env),
            roles,
            dedicated.map(options::withDedicatedAddresses).orElse(options));
    return new StackRig(env, app, mock);
  }

  static Map<String, String> from(String network) {
    Map<String, String> h = new HashMap<>();
    h.put("Content-Type", "application/json");
    h.put("X-Forwarded-For", network);
    return h;
  }

  static Map<String, String> with(Map<String, String> headers, String name, String value) {
    Map<String, String> h = new HashMap<>(headers);
    h.put(name, value);
    return h;
  }

  /** A JSON create; {@code manifest} is the manifest object's JSON. */
  HttpResponse<String> create(Map<String, String> headers, String name, String manifest) {
    return http.post(
        "/stacks/new", "{\"name\":\"" + name + "\",\"manifest\":" + manifest + "}", headers);
  }

  JsonNode created(Map<String, String> headers, String manifest) {
    HttpResponse<String> res = create(headers, "app", manifest);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
    return JSON.readTree(res.body());
  }

  JsonNode provision(String path, Map<String, String> headers) {
    HttpResponse<String> res = http.post(path, "{\"name\":\"for-stack\"}", headers);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    return JSON.readTree(res.body());
  }

  HttpResponse<String> patch(String path, String body, Map<String, String> headers) {
    return http.send("PATCH", path, body, headers);
  }

  static String namespace(String slug) {
    return "instant-stack-" + slug;
  }

  /** Every replica of {@code service} available, as the deployment controller would report. */
  void available(String slug, String service) {
    kube.apps()
        .deployments()
        .inNamespace(namespace(slug))
        .withName(service)
        .editStatus(d ->
            new DeploymentBuilder(d)
                .editOrNewStatus()
                .withReplicas(1)
                .withAvailableReplicas(1)
                .endStatus()
                .build());
  }

  /** A pod of {@code service} waiting for {@code reason}, as the kubelet would report. */
  void stuck(String slug, String service, String reason) {
    kube.pods()
        .inNamespace(namespace(slug))
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(service + "-1")
                .addToLabels("instanode.dev/service", service)
                .endMetadata()
                .withNewStatus()
                .addNewContainerStatus()
                .withName(service)
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build())
        .create();
  }

  String scalar(String sql) throws Exception {
    return AnonymousGateHttpTest.scalar(env, sql);
  }

  long count(String sql) throws Exception {
    return AnonymousGateHttpTest.count(env, sql);
  }

  @Override
  public void close() {
    app.close();
  }
}
