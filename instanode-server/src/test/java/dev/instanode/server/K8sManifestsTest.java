package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.instanode.core.crypto.AesGcm;
import dev.instanode.worker.WorkerSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The manifests in {@code deploy/k8s}: every file the kustomization lists parses, applies to a
 * (mock) API server and reads back, and what they set matches what the code reads.
 */
@EnableKubernetesMockClient(crud = true)
class K8sManifestsTest {
  private static final Path DIR = Path.of("..", "deploy", "k8s");
  private static final ResourceDefinitionContext SERVICE_MONITOR =
      new ResourceDefinitionContext.Builder()
          .withGroup("monitoring.coreos.com")
          .withVersion("v1")
          .withKind("ServiceMonitor")
          .withPlural("servicemonitors")
          .withNamespaced(true)
          .build();

  static KubernetesClient client;
  private static Map<String, Object> kustomization;
  private static String namespace;
  private static List<HasMetadata> objects;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void loadAndApply() throws IOException {
    try (InputStream in = Files.newInputStream(DIR.resolve("kustomization.yaml"))) {
      GenericKubernetesResource k =
          client.getKubernetesSerialization().unmarshal(in, GenericKubernetesResource.class);
      kustomization = k.getAdditionalProperties();
    }
    namespace = (String) kustomization.get("namespace");
    objects = new ArrayList<>();
    for (String file : (List<String>) kustomization.get("resources")) {
      try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
        List<HasMetadata> items = client.load(in).items();
        assertThat(items).as(file).isNotEmpty();
        objects.addAll(items);
      }
    }
    objects.add(generatedSecret());
    for (HasMetadata object : objects) {
      if (object instanceof GenericKubernetesResource generic) {
        assertThat(generic.getKind()).isEqualTo("ServiceMonitor");
        client.genericKubernetesResources(SERVICE_MONITOR).resource(generic).create();
      } else {
        client.resource(object).create();
      }
    }
  }

  /** The Secret kustomize's secretGenerator makes; the committed example stands in for its file. */
  @SuppressWarnings("unchecked")
  private static Secret generatedSecret() throws IOException {
    List<Map<String, Object>> generators =
        (List<Map<String, Object>>) kustomization.get("secretGenerator");
    assertThat(generators).hasSize(1);
    Map<String, Object> generator = generators.getFirst();
    assertThat((Map<String, Object>) generator.get("options"))
        .as("the ServiceMonitor names the Secret, so it has no hash suffix")
        .containsEntry("disableNameSuffixHash", true);
    List<String> envs = (List<String>) generator.get("envs");
    Map<String, String> data = new LinkedHashMap<>();
    for (String env : envs) {
      for (String line : Files.readAllLines(DIR.resolve(env + ".example"))) {
        if (!line.isBlank() && !line.startsWith("#")) {
          int eq = line.indexOf('=');
          data.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName((String) generator.get("name"))
        .withNamespace(namespace)
        .endMetadata()
        .withStringData(data)
        .build();
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyFileInTheDirectoryIsListedByTheKustomization() throws IOException {
    Set<String> known = new TreeSet<>((List<String>) kustomization.get("resources"));
    known.add("kustomization.yaml");
    for (Map<String, Object> g : (List<Map<String, Object>>) kustomization.get("secretGenerator")) {
      for (String env : (List<String>) g.get("envs")) {
        known.add(env); // the operator's filled-in copy, never committed
        known.add(env + ".example");
      }
    }
    try (Stream<Path> files = Files.list(DIR)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("files in deploy/k8s that kubectl apply -k would silently skip")
          .allMatch(known::contains);
    }
    assertThat(Files.readString(Path.of("..", ".gitignore"))).contains("deploy/k8s/secret.env");
  }

  @Test
  void everyObjectReadsBackFromTheApiServerInTheKustomizationsNamespace() {
    assertThat(namespace).isEqualTo("instant-infra");
    for (HasMetadata object : objects) {
      HasMetadata back =
          object instanceof GenericKubernetesResource generic
              ? client.genericKubernetesResources(SERVICE_MONITOR).resource(generic).get()
              : client.resource(object).get();
      assertThat(back).as(object.getKind() + "/" + object.getMetadata().getName()).isNotNull();
      boolean clusterScoped =
          object instanceof Namespace
              || object instanceof ClusterRole
              || object instanceof ClusterRoleBinding;
      assertThat(object.getMetadata().getNamespace())
          .as(object.getKind() + "/" + object.getMetadata().getName())
          .isEqualTo(clusterScoped ? null : namespace);
    }
    assertThat(client.namespaces().withName(namespace).get()).isNotNull();
  }

  @Test
  void everyDeploymentIsProbedBoundedHardenedAndCoveredByABudget() {
    List<Deployment> deployments =
        client.apps().deployments().inNamespace(namespace).list().getItems();
    assertThat(deployments)
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder("instanode-api", "instanode-worker", "instanode-provisioner");
    List<PodDisruptionBudget> budgets =
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems();
    for (Deployment d : deployments) {
      String name = d.getMetadata().getName();
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
      assertThat(d.getSpec().getSelector().getMatchLabels()).isEqualTo(labels);
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType())
          .as(name)
          .isEqualTo("RuntimeDefault");
      for (Container c : pod.getContainers()) {
        assertThat(c.getLivenessProbe()).as(name + " liveness").isNotNull();
        assertThat(c.getReadinessProbe()).as(name + " readiness").isNotNull();
        for (Probe p : List.of(c.getLivenessProbe(), c.getReadinessProbe())) {
          assertProbeHitsAPort(name, c, p);
        }
        assertThat(c.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).as(name).containsKeys("cpu", "memory");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(name).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(name).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(name).contains("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).as(name).isNullOrEmpty();
      }
      assertThat(
              client
                  .serviceAccounts()
                  .inNamespace(namespace)
                  .withName(pod.getServiceAccountName())
                  .get())
          .as(name + "'s service account")
          .isNotNull();
      assertThat(budgets)
          .as(name + "'s PodDisruptionBudget")
          .filteredOn(b -> selects(b.getSpec().getSelector(), labels))
          .hasSize(1);
    }
  }

  private static void assertProbeHitsAPort(String deployment, Container c, Probe p) {
    List<ContainerPort> ports = c.getPorts() == null ? List.of() : c.getPorts();
    if (p.getHttpGet() != null) {
      assertThat(p.getHttpGet().getPath()).isIn("/livez", "/readyz");
      String port = p.getHttpGet().getPort().getStrVal();
      assertThat(ports).as(deployment).anyMatch(cp -> Objects.equals(cp.getName(), port));
    } else if (p.getGrpc() != null) {
      assertThat(ports)
          .as(deployment)
          .anyMatch(cp -> cp.getContainerPort().equals(p.getGrpc().getPort()));
    } else {
      throw new AssertionError(deployment + " has a probe that is neither HTTP nor gRPC");
    }
  }

  @Test
  void everyServiceSelectsADeploymentsPodsOnAPortTheyName() {
    List<Deployment> deployments =
        client.apps().deployments().inNamespace(namespace).list().getItems();
    List<Service> services = client.services().inNamespace(namespace).list().getItems();
    assertThat(services)
        .extracting(s -> s.getMetadata().getName())
        .contains("instanode-api", "instanode-provisioner");
    for (Service s : services) {
      Deployment target =
          deployments.stream()
              .filter(d ->
                  d.getSpec()
                      .getTemplate()
                      .getMetadata()
                      .getLabels()
                      .entrySet()
                      .containsAll(s.getSpec().getSelector().entrySet()))
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError(s.getMetadata().getName() + " selects nothing"));
      Set<String> named =
          target.getSpec().getTemplate().getSpec().getContainers().stream()
              .flatMap(c -> c.getPorts().stream())
              .map(ContainerPort::getName)
              .collect(Collectors.toSet());
      assertThat(s.getSpec().getPorts())
          .as(s.getMetadata().getName())
          .allMatch(p -> named.contains(p.getTargetPort().getStrVal()));
    }
  }

  @Test
  void rbacGrantsNamedVerbsOnNamedResourcesToServiceAccountsThatExist() {
    for (ClusterRole role : client.rbac().clusterRoles().list().getItems()) {
      for (PolicyRule rule : role.getRules()) {
        assertThat(rule.getVerbs()).as(role.getMetadata().getName()).doesNotContain("*");
        assertThat(rule.getResources()).as(role.getMetadata().getName()).doesNotContain("*");
        assertThat(rule.getApiGroups()).as(role.getMetadata().getName()).doesNotContain("*");
        assertThat(rule.getVerbs())
            .as("%s never escalates", role.getMetadata().getName())
            .doesNotContain("bind", "escalate", "impersonate");
      }
    }
    List<ClusterRoleBinding> bindings = client.rbac().clusterRoleBindings().list().getItems();
    assertThat(bindings).isNotEmpty();
    for (ClusterRoleBinding b : bindings) {
      assertThat(client.rbac().clusterRoles().withName(b.getRoleRef().getName()).get())
          .as(b.getMetadata().getName())
          .isNotNull();
      for (Subject s : b.getSubjects()) {
        assertThat(s.getKind()).isEqualTo("ServiceAccount");
        assertThat(
                client.serviceAccounts().inNamespace(s.getNamespace()).withName(s.getName()).get())
            .as(b.getMetadata().getName())
            .isNotNull();
      }
    }
    // Only the api follows a stack's logs; the migration needs no token at all.
    assertThat(grantedTo("instanode-api")).contains("pods/log");
    assertThat(grantedTo("instanode-worker")).doesNotContain("pods/log");
    assertThat(grantedTo("instanode-provisioner")).doesNotContain("pods/log");
    assertThat(grantedTo("instanode-migrate")).isEmpty();
    ServiceAccount migrate =
        client.serviceAccounts().inNamespace(namespace).withName("instanode-migrate").get();
    assertThat(migrate.getAutomountServiceAccountToken()).isFalse();
  }

  private static Set<String> grantedTo(String serviceAccount) {
    return client.rbac().clusterRoleBindings().list().getItems().stream()
        .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(serviceAccount)))
        .map(b -> client.rbac().clusterRoles().withName(b.getRoleRef().getName()).get())
        .flatMap(r -> r.getRules().stream())
        .flatMap(r -> r.getResources().stream())
        .collect(Collectors.toSet());
  }

  @Test
  void everyVariableSetIsASettingTheCodeReadsAndEveryRoleGetsWhatItRequires() {
    Set<String> read =
        Stream.concat(
                Arrays.stream(Setting.values()).map(Setting::name),
                WorkerSettings.environmentVariables().stream())
            .collect(Collectors.toSet());
    for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
      String name = d.getMetadata().getName();
      Container c = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
      Map<String, String> env = environment(c);
      assertThat(env.keySet()).as(name + ": variables no Setting reads").allMatch(read::contains);
      for (Setting s : Setting.values()) {
        if (s.required()) {
          assertThat(env).as(name).containsKey(s.name());
        }
      }
      List<String> args = c.getArgs();
      assertThat(args.subList(0, 2)).isEqualTo(List.of("serve", "--roles"));
      Set<Role> roles = Role.parse(args.get(2));
      assertThat(roles).as(name).hasSize(1);
      if (roles.contains(Role.PROVISIONER)) {
        assertThat(env)
            .as(name)
            .containsKey("PROVISIONER_SECRET")
            .doesNotContainKey("PROVISIONER_ADDR");
      } else {
        // The api and worker reach the one provisioner over gRPC; in-process they would each
        // need the provisioner's cluster RBAC and make hot pools of their own.
        assertThat(env).as(name).containsKey("PROVISIONER_SECRET");
        HostAndPort addr = HostAndPort.parse(env.get("PROVISIONER_ADDR"));
        Service provisioner = client.services().inNamespace(namespace).withName(addr.host()).get();
        assertThat(provisioner).as(name + " names the provisioner Service").isNotNull();
        assertThat(provisioner.getSpec().getPorts())
            .anyMatch(p -> p.getPort() == addr.port() && p.getName().equals("grpc"));
      }
      assertThatCode(() -> Config.from(withTestSecrets(env)))
          .as(name + "'s settings parse")
          .doesNotThrowAnyException();
    }
    Job migrate =
        client.batch().v1().jobs().inNamespace(namespace).withName("instanode-migrate").get();
    Container m = migrate.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(m.getArgs()).containsExactly("migrate");
    assertThat(environment(m))
        .containsKey("DATABASE_URL")
        .allSatisfy((k, v) -> assertThat(read).contains(k));
  }

  /** What the container's environment holds, from its env and the ConfigMaps and Secrets named. */
  private static Map<String, String> environment(Container c) {
    Map<String, String> env = new HashMap<>();
    for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
      if (from.getConfigMapRef() != null) {
        env.putAll(configMap(from.getConfigMapRef().getName()).getData());
      }
      if (from.getSecretRef() != null) {
        env.putAll(secret(from.getSecretRef().getName()));
      }
    }
    for (EnvVar v : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
      if (v.getValueFrom() == null) {
        env.put(v.getName(), v.getValue());
      } else if (v.getValueFrom().getSecretKeyRef() != null) {
        var ref = v.getValueFrom().getSecretKeyRef();
        Map<String, String> secret = secret(ref.getName());
        assertThat(secret.containsKey(ref.getKey()) || Boolean.TRUE.equals(ref.getOptional()))
            .as(v.getName() + " from a key the Secret has")
            .isTrue();
        if (secret.containsKey(ref.getKey())) {
          env.put(v.getName(), secret.get(ref.getKey()));
        }
      } else {
        throw new AssertionError(v.getName() + ": only values and Secret keys are expected");
      }
    }
    return env;
  }

  private static ConfigMap configMap(String name) {
    ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
    assertThat(map).as("ConfigMap " + name).isNotNull();
    return map;
  }

  private static Map<String, String> secret(String name) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    assertThat(secret).as("Secret " + name).isNotNull();
    Map<String, String> values = new HashMap<>();
    Optional.ofNullable(secret.getStringData()).ifPresent(values::putAll);
    Optional.ofNullable(secret.getData())
        .ifPresent(data ->
            data.forEach((k, v) ->
                values.put(
                    k,
                    new String(java.util.Base64.getDecoder().decode(v), StandardCharsets.UTF_8))));
    return values;
  }

  /** The example Secret holds placeholders; put well-formed values in their place. */
  private static Map<String, String> withTestSecrets(Map<String, String> env) {
    Map<String, String> filled = new HashMap<>(env);
    filled.put("DATABASE_URL", "postgres://u:p@db:5432/instanode");
    filled.put("CUSTOMER_DATABASE_URLS", "postgres://u:p@customers:5432/postgres");
    filled.put("REDIS_URL", "redis://default:p@redis:6379/0");
    filled.put("CUSTOMER_REDIS_URL", "redis://default:p@redis:6379/0");
    filled.put("AES_KEY", AesGcm.generateHexKey());
    for (String secret : List.of("JWT_SECRET", "INTERNAL_JWT_SECRET", "PROVISIONER_SECRET")) {
      filled.put(secret, "s".repeat(32));
    }
    return filled;
  }

  @Test
  void theNamespaceDeniesByDefaultAndAllowsTheProvisionerOnlyToItsCallers() {
    List<NetworkPolicy> policies =
        client.network().v1().networkPolicies().inNamespace(namespace).list().getItems();
    assertThat(policies)
        .as("a default deny")
        .anyMatch(p ->
            empty(p.getSpec().getPodSelector().getMatchLabels())
                && empty(p.getSpec().getPodSelector().getMatchExpressions())
                && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
                && empty(p.getSpec().getIngress())
                && empty(p.getSpec().getEgress()));
    NetworkPolicy toProvisioner =
        policies.stream()
            .filter(p -> p.getMetadata().getName().equals("provisioner-ingress"))
            .findFirst()
            .orElseThrow();
    assertThat(toProvisioner.getSpec().getIngress().getFirst().getFrom())
        .extracting(f -> f.getPodSelector().getMatchLabels().get("app.kubernetes.io/component"))
        .containsExactlyInAnyOrder("api", "worker");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theServiceMonitorScrapesMetricsWithTheTokenFromTheSecret() {
    GenericKubernetesResource monitor =
        client
            .genericKubernetesResources(SERVICE_MONITOR)
            .inNamespace(namespace)
            .withName("instanode")
            .get();
    assertThat(monitor).isNotNull();
    Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
    Map<String, String> selected =
        (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
    assertThat(endpoints).hasSize(1);
    Map<String, Object> endpoint = endpoints.getFirst();
    assertThat(endpoint).containsEntry("path", "/metrics");
    Map<String, Object> auth = (Map<String, Object>) endpoint.get("authorization");
    assertThat(auth).containsEntry("type", "Bearer");
    Map<String, String> credentials = (Map<String, String>) auth.get("credentials");
    assertThat(secret(credentials.get("name"))).containsKey(credentials.get("key"));
    assertThat(credentials.get("key")).isEqualTo(Setting.METRICS_TOKEN.name());
    // Every role's metrics are scraped: each Deployment has a Service the monitor selects, with
    // the endpoint's port.
    List<Service> scraped =
        client.services().inNamespace(namespace).list().getItems().stream()
            .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selected.entrySet()))
            .toList();
    assertThat(scraped)
        .extracting(s -> s.getSpec().getSelector().get("app.kubernetes.io/component"))
        .containsExactlyInAnyOrder("api", "worker", "provisioner");
    assertThat(scraped)
        .allMatch(s ->
            s.getSpec().getPorts().stream()
                .anyMatch(p -> p.getName().equals(endpoint.get("port"))));
  }

  private static boolean empty(Object collectionOrMap) {
    return collectionOrMap == null
        || (collectionOrMap instanceof Map<?, ?> m && m.isEmpty())
        || (collectionOrMap instanceof List<?> l && l.isEmpty());
  }

  private static boolean selects(LabelSelector selector, Map<String, String> labels) {
    return selector.getMatchExpressions().isEmpty()
        && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
  }
}
