package dev.instanode.cluster;

import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kubernetes objects of one dedicated resource, built from its spec. Pure: the same spec gives
 * the same objects. The server is hardened as a stack's services are (non-root, every capability
 * dropped, seccomp, no service account token), and its namespace lets in only its own port and lets
 * out only DNS.
 */
public final class DedicatedObjects {
  /** On a dedicated namespace: the resource type it serves. */
  public static final String RESOURCE_TYPE = "instanode.dev/resource-type";

  /** Pods a namespace may hold: the server, and room for one replacement while it restarts. */
  static final int QUOTA_PODS = 3;

  static final int QUOTA_VOLUMES = 2;

  /** {@code 0440}: the Secret's files are read by the server's group (its fsGroup) alone. */
  static final int SECRET_FILE_MODE = 0440;

  /** Where the cluster's DNS runs ({@code k8s-app=kube-dns}, CoreDNS's label too). */
  static final String DNS_NAMESPACE = "kube-system";

  private DedicatedObjects() {}

  public static String secretName(String server) {
    return server + "-admin";
  }

  static String volumeName(String server) {
    return server + "-data";
  }

  static Map<String, String> labels(DedicatedSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(StackObjects.MANAGED_BY, StackObjects.MANAGER);
    labels.put(StackObjects.OWNER, spec.owner());
    labels.put(StackObjects.TIER, spec.tier());
    labels.put(RESOURCE_TYPE, spec.resourceType());
    return labels;
  }

  public static Namespace namespace(DedicatedSpec spec) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(spec.namespace().value())
        .withLabels(labels(spec))
        .endMetadata()
        .build();
  }

  /** Everything inside the namespace, in the order it is applied; the Secret comes first. */
  public static List<HasMetadata> contents(DedicatedSpec spec) {
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(secret(spec));
    objects.add(quota(spec));
    objects.add(defaultDeny(spec));
    objects.add(volume(spec));
    objects.add(deployment(spec));
    objects.add(service(spec));
    return objects;
  }

  static Secret secret(DedicatedSpec spec) {
    // data, not stringData: what is stored is what is read back, on every API server.
    Map<String, String> data = new TreeMap<>();
    spec.adminSecret()
        .forEach((k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(secretName(spec.server().name()))
        .withLabels(labels(spec))
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }

  private static HasMetadata quota(DedicatedSpec spec) {
    return new ResourceQuotaBuilder()
        .withNewMetadata()
        .withName("dedicated-quota")
        .withLabels(labels(spec))
        .endMetadata()
        .withNewSpec()
        .addToHard("pods", new Quantity(String.valueOf(QUOTA_PODS)))
        .addToHard("persistentvolumeclaims", new Quantity(String.valueOf(QUOTA_VOLUMES)))
        .addToHard("requests.storage", new Quantity(spec.size().diskGb() + "Gi"))
        .addToHard("limits.cpu", new Quantity(spec.size().cpuMillis() + "m"))
        .addToHard("limits.memory", new Quantity(spec.size().memoryMb() + "Mi"))
        .endSpec()
        .build();
  }

  /**
   * In: the server's port only, from anywhere (customers connect to it). Out: the cluster's DNS
   * only, never port 53 of any address.
   */
  private static HasMetadata defaultDeny(DedicatedSpec spec) {
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withName("default-deny")
        .withLabels(labels(spec))
        .endMetadata()
        .withNewSpec()
        .withNewPodSelector()
        .endPodSelector()
        .withPolicyTypes("Ingress", "Egress")
        .addNewIngress()
        .addNewPort()
        .withProtocol("TCP")
        .withPort(new IntOrString(spec.server().port()))
        .endPort()
        .endIngress()
        .addNewEgress()
        .addNewTo()
        .withNewNamespaceSelector()
        .addToMatchLabels("kubernetes.io/metadata.name", DNS_NAMESPACE)
        .endNamespaceSelector()
        .withNewPodSelector()
        .addToMatchLabels("k8s-app", "kube-dns")
        .endPodSelector()
        .endTo()
        .addNewPort()
        .withProtocol("UDP")
        .withPort(new IntOrString(53))
        .endPort()
        .addNewPort()
        .withProtocol("TCP")
        .withPort(new IntOrString(53))
        .endPort()
        .endEgress()
        .endSpec()
        .build();
  }

  private static HasMetadata volume(DedicatedSpec spec) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(volumeName(spec.server().name()))
        .withLabels(labels(spec))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(spec.storageClass().orElse(null))
        .withNewResources()
        .addToRequests("storage", new Quantity(spec.size().diskGb() + "Gi"))
        .endResources()
        .endSpec()
        .build();
  }

  private static List<EnvVar> env(DedicatedServer server) {
    List<EnvVar> env = new ArrayList<>();
    new TreeMap<>(server.secretEnv())
        .forEach((name, key) ->
            env.add(
                new EnvVarBuilder()
                    .withName(name)
                    .withNewValueFrom()
                    .withNewSecretKeyRef()
                    .withName(secretName(server.name()))
                    .withKey(key)
                    .endSecretKeyRef()
                    .endValueFrom()
                    .build()));
    new TreeMap<>(server.env())
        .forEach(
            (name, value) -> env.add(new EnvVarBuilder().withName(name).withValue(value).build()));
    return env;
  }

  private static HasMetadata deployment(DedicatedSpec spec) {
    DedicatedServer server = spec.server();
    int cpu = spec.size().cpuMillis();
    int memory = spec.size().memoryMb();
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(server.name())
        .withLabels(labels(spec))
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        // The volume is ReadWriteOnce: the old pod lets go of it before the new one starts.
        .withNewStrategy()
        .withType("Recreate")
        .endStrategy()
        .withNewSelector()
        .addToMatchLabels(StackObjects.SERVICE, server.name())
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels(StackObjects.SERVICE, server.name())
        .addToLabels(StackObjects.MANAGED_BY, StackObjects.MANAGER)
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(server.runAsUser())
        .withRunAsGroup(server.runAsUser())
        .withFsGroup(server.runAsUser())
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName(server.name())
        .withImage(server.image())
        .withArgs(server.args())
        .addNewPort()
        .withName(server.name())
        .withContainerPort(server.port())
        .endPort()
        .withEnv(env(server))
        .withNewResources()
        .addToRequests("cpu", new Quantity(Math.max(1, cpu / 4) + "m"))
        .addToRequests("memory", new Quantity(Math.max(1, memory / 4) + "Mi"))
        .addToLimits("cpu", new Quantity(cpu + "m"))
        .addToLimits("memory", new Quantity(memory + "Mi"))
        .endResources()
        .withVolumeMounts(mounts(server))
        .withReadinessProbe(readiness(server))
        // A first start (initdb on a slow volume) may take minutes: liveness waits for it.
        .withNewStartupProbe()
        .withNewTcpSocket()
        .withPort(new IntOrString(server.port()))
        .endTcpSocket()
        .withPeriodSeconds(5)
        .withFailureThreshold(120)
        .endStartupProbe()
        .withNewLivenessProbe()
        .withNewTcpSocket()
        .withPort(new IntOrString(server.port()))
        .endTcpSocket()
        .withPeriodSeconds(10)
        .withFailureThreshold(3)
        .endLivenessProbe()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withReadOnlyRootFilesystem(server.readOnlyRoot())
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withCapabilities(new CapabilitiesBuilder().withDrop("ALL").build())
        .endSecurityContext()
        .endContainer()
        .withVolumes(volumes(server))
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** The Secret's files by the directory they are mounted in, each by its name there. */
  private static Map<String, Map<String, String>> secretDirectories(DedicatedServer server) {
    Map<String, Map<String, String>> dirs = new TreeMap<>();
    server
        .secretFiles()
        .forEach((path, key) ->
            dirs.computeIfAbsent(DedicatedServer.directoryOf(path), d -> new TreeMap<>())
                .put(path.substring(path.lastIndexOf('/') + 1), key));
    return dirs;
  }

  private static String secretVolume(int index) {
    return "secret-files-" + index;
  }

  private static List<VolumeMount> mounts(DedicatedServer server) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(new VolumeMountBuilder().withName("data").withMountPath(server.dataPath()).build());
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    int index = 0;
    for (String dir : secretDirectories(server).keySet()) {
      mounts.add(
          new VolumeMountBuilder()
              .withName(secretVolume(index++))
              .withMountPath(dir)
              .withReadOnly(true)
              .build());
    }
    return mounts;
  }

  /**
   * The volume, {@code /tmp}, and each directory of the Secret's files: a Secret volume holding
   * just those keys, readable by the server's group alone. A whole directory, not a file mounted by
   * subPath: the kubelet keeps it up to date, so a container restarted in the same pod reads the
   * Secret as it is then.
   */
  private static List<Volume> volumes(DedicatedServer server) {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("data")
            .withNewPersistentVolumeClaim()
            .withClaimName(volumeName(server.name()))
            .endPersistentVolumeClaim()
            .build());
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    int index = 0;
    for (Map<String, String> files : secretDirectories(server).values()) {
      List<KeyToPath> items = new ArrayList<>();
      files.forEach(
          (file, key) -> items.add(new KeyToPathBuilder().withKey(key).withPath(file).build()));
      volumes.add(
          new VolumeBuilder()
              .withName(secretVolume(index++))
              .withNewSecret()
              .withSecretName(secretName(server.name()))
              .withItems(items)
              .withDefaultMode(SECRET_FILE_MODE)
              .endSecret()
              .build());
    }
    return volumes;
  }

  private static Probe readiness(DedicatedServer server) {
    ProbeBuilder probe = new ProbeBuilder().withPeriodSeconds(2).withFailureThreshold(3);
    if (server.readiness().isEmpty()) {
      return probe
          .withNewTcpSocket()
          .withPort(new IntOrString(server.port()))
          .endTcpSocket()
          .build();
    }
    return probe.withNewExec().withCommand(server.readiness()).endExec().build();
  }

  private static HasMetadata service(DedicatedSpec spec) {
    DedicatedServer server = spec.server();
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(server.name())
        .withLabels(labels(spec))
        .endMetadata()
        .withNewSpec()
        .withType(spec.nodePort() ? "NodePort" : "ClusterIP")
        .addToSelector(StackObjects.SERVICE, server.name())
        .addNewPort()
        .withName(server.name())
        .withPort(server.port())
        .withTargetPort(new IntOrString(server.port()))
        .endPort()
        .endSpec()
        .build();
  }
}
