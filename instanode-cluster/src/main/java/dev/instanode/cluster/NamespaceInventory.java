package dev.instanode.cluster;

import dev.instanode.core.names.NamespaceName;
import java.util.List;
import java.util.function.Consumer;

/** The tenant namespaces that exist on a cluster, read a page at a time. */
public interface NamespaceInventory {
  /** Namespaces asked of the cluster per list call. */
  int DEFAULT_PAGE = 500;

  /**
   * Hands {@code page} the namespaces whose name has {@code kind}'s prefix, one list call of at
   * most {@code pageSize} namespaces at a time (Kubernetes' {@code limit} and {@code continue}), so
   * a cluster of 10,000 namespaces is never held at once. The prefix is filtered here, so a page
   * may hold fewer than {@code pageSize}; an empty one is not handed over.
   *
   * @throws ClusterUnavailableException when any list call fails. Pages handed over before it stay
   *     handed over: a caller that must not act on part of the list collects first and acts only
   *     once this returns.
   */
  void eachNamespacePage(
      NamespaceName.Kind kind, int pageSize, Consumer<List<TenantNamespace>> page);
}
