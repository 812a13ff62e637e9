package dev.instanode.cluster;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kubernetes objects of one stack, built from its spec. Pure: the same spec always gives the
 * same objects, so applying them again changes nothing.
 */
public final class StackObjects {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "instanode";
  public static final String SLUG = "instanode.dev/stack-slug";
  public static final String OWNER = "instanode.dev/owner";
  public static final String TIER = "instanode.dev/tier";
  public static final String SERVICE = "instanode.dev/service";

  /**
   * On the pod template: a changed env changes it, so the Deployment rolls; an unchanged one not.
   */
  public static final String ENV_DIGEST = "instanode.dev/env-sha256";

  /** The namespace the ingress controller runs in; only it may reach a stack from outside. */
  static final String INGRESS_NAMESPACE = "ingress-nginx";

  private StackObjects() {}

  public static Namespace namespace(StackSpec stack) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(stack.namespace().value())
        .withLabels(labels(stack))
        .endMetadata()
        .build();
  }

  /** Everything inside the namespace, in the order it is applied. */
  public static List<HasMetadata> contents(StackSpec stack) {
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(quota(stack));
    objects.add(limits(stack));
    objects.add(defaultDeny(stack));
    for (ServiceSpec service : stack.services()) {
      objects.add(secret(stack, service));
      objects.add(deployment(stack, service));
      objects.add(service(stack, service));
      if (service.expose()) {
        objects.add(ingress(stack, service));
      }
    }
    return objects;
  }

  static Map<String, String> labels(StackSpec stack) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, MANAGER);
    labels.put(SLUG, stack.slug().value());
    labels.put(OWNER, stack.owner().orElse("anonymous"));
    labels.put(TIER, stack.tier());
    return labels;
  }

  private static HasMetadata quota(StackSpec stack) {
    StackQuota q = stack.quota();
    return new ResourceQuotaBuilder()
        .withNewMetadata()
        .withName("stack-quota")
        .withLabels(labels(stack))
        .endMetadata()
        .withNewSpec()
        .addToHard("pods", new Quantity(String.valueOf(q.pods())))
        .addToHard("limits.cpu", new Quantity(q.cpuMillis() + "m"))
        .addToHard("limits.memory", new Quantity(q.memoryMb() + "Mi"))
        .addToHard("requests.cpu", new Quantity(q.cpuMillis() + "m"))
        .addToHard("requests.memory", new Quantity(q.memoryMb() + "Mi"))
        .endSpec()
        .build();
  }

  private static HasMetadata limits(StackSpec stack) {
    StackQuota q = stack.quota();
    Map<String, Quantity> each =
        Map.of(
            "cpu", new Quantity(q.containerCpuMillis() + "m"),
            "memory", new Quantity(q.containerMemoryMb() + "Mi"));
    return new LimitRangeBuilder()
        .withNewMetadata()
        .withName("stack-limits")
        .withLabels(labels(stack))
        .endMetadata()
        .withNewSpec()
        .addNewLimit()
        .withType("Container")
        .withDefault(each)
        .withDefaultRequest(each)
        .endLimit()
        .endSpec()
        .build();
  }

  /** Nothing reaches a stack's pods except its own pods and the ingress controller. */
  private static HasMetadata defaultDeny(StackSpec stack) {
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withName("default-deny")
        .withLabels(labels(stack))
        .endMetadata()
        .withNewSpec()
        .withNewPodSelector()
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .addNewIngress()
        .addNewFrom()
        .withNewPodSelector()
        .endPodSelector()
        .endFrom()
        .addNewFrom()
        .withNewNamespaceSelector()
        .addToMatchLabels("kubernetes.io/metadata.name", INGRESS_NAMESPACE)
        .endNamespaceSelector()
        .endFrom()
        .endIngress()
        .endSpec()
        .build();
  }

  static String envDigest(ServiceSpec service) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    new TreeMap<>(service.env())
        .forEach((k, v) -> {
          sha.update(k.getBytes(StandardCharsets.UTF_8));
          sha.update((byte) 0);
          sha.update(v.getBytes(StandardCharsets.UTF_8));
          sha.update((byte) 0);
        });
    return HexFormat.of().formatHex(sha.digest());
  }

  static String secretName(ServiceSpec service) {
    return service.name() + "-env";
  }

  private static HasMetadata secret(StackSpec stack, ServiceSpec service) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(secretName(service))
        .withLabels(labels(stack))
        .endMetadata()
        .withType("Opaque")
        .withStringData(new LinkedHashMap<>(service.env()))
        .build();
  }

  private static HasMetadata deployment(StackSpec stack, ServiceSpec service) {
    Capabilities none = new CapabilitiesBuilder().withDrop("ALL").build();
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(service.name())
        .withLabels(labels(stack))
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .addToMatchLabels(SERVICE, service.name())
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels(SERVICE, service.name())
        .addToLabels(SLUG, stack.slug().value())
        .addToAnnotations(ENV_DIGEST, envDigest(service))
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName(service.name())
        .withImage(service.image())
        .addNewPort()
        .withContainerPort(service.port())
        .endPort()
        .addNewEnvFrom()
        .withNewSecretRef()
        .withName(secretName(service))
        .endSecretRef()
        .endEnvFrom()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withReadOnlyRootFilesystem(true)
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withCapabilities(none)
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static HasMetadata service(StackSpec stack, ServiceSpec service) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(service.name())
        .withLabels(labels(stack))
        .endMetadata()
        .withNewSpec()
        .addToSelector(SERVICE, service.name())
        .addNewPort()
        .withPort(service.port())
        .withTargetPort(new IntOrString(service.port()))
        .endPort()
        .endSpec()
        .build();
  }

  /** The public host of an exposed service. */
  public static String host(StackSpec stack, ServiceSpec service) {
    return service.name() + "-" + stack.slug().value() + "." + stack.domain();
  }

  private static HasMetadata ingress(StackSpec stack, ServiceSpec service) {
    return new IngressBuilder()
        .withNewMetadata()
        .withName(service.name())
        .withLabels(labels(stack))
        .endMetadata()
        .withNewSpec()
        .addNewRule()
        .withHost(host(stack, service))
        .withNewHttp()
        .addNewPath()
        .withPath("/")
        .withPathType("Prefix")
        .withNewBackend()
        .withNewService()
        .withName(service.name())
        .withNewPort()
        .withNumber(service.port())
        .endPort()
        .endService()
        .endBackend()
        .endPath()
        .endHttp()
        .endRule()
        .endSpec()
        .build();
  }
}
