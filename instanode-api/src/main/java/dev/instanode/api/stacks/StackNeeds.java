package dev.instanode.api.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.api.auth.Caller;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.stack.StackManifest;
import dev.instanode.store.ResourceRecord;
import dev.instanode.store.ResourceRepository;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a service's {@code needs} put in its env: each needed resource's connection URL under its
 * kind's variable ({@code DATABASE_URL}, {@code REDIS_URL}, ...), {@code _2}, {@code _3} on
 * repeats. A stack uses only what its caller owns: a team stack its team's live resources, an
 * anonymous stack the live anonymous resources its caller provably received (listed by an {@code
 * upgrade_jwt} it sends back). Never "made from the same network": a network is shared, and the
 * stack's env and logs would hand a neighbour's credentials to whoever named its token.
 */
public final class StackNeeds {
  private final ResourceRepository resources;
  private final AesGcm aes;
  private final Optional<String> resourceHost;

  /**
   * @param resourceHost the host pods reach resources at, when it differs from the one in their
   *     URLs (a cluster whose pods cannot resolve it); empty keeps each URL as it is
   */
  public StackNeeds(ResourceRepository resources, AesGcm aes, Optional<String> resourceHost) {
    this.resources = requireNonNull(resources, "resources is null");
    this.aes = requireNonNull(aes, "aes is null");
    this.resourceHost = requireNonNull(resourceHost, "resourceHost is null");
  }

  /**
   * The variables {@code service}'s needs inject; its own env is layered over them later.
   *
   * @param received for an anonymous caller, the resources its {@code X-Instanode-Upgrade} tokens
   *     list
   */
  Map<String, String> envFor(
      Caller caller, StackManifest.Service service, Set<ResourceToken> received) {
    Map<String, String> env = new LinkedHashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    List<ResourceToken> needs = service.needs();
    for (int i = 0; i < needs.size(); i++) {
      String path = "services." + service.name() + ".needs[" + i + "]";
      ResourceRecord r = usable(caller, needs.get(i), received, path);
      String base = ResourceKinds.of(r.type()).envVar();
      int n = seen.merge(base, 1, Integer::sum);
      env.put(n == 1 ? base : base + "_" + n, url(r, path));
    }
    return env;
  }

  private ResourceRecord usable(
      Caller caller, ResourceToken token, Set<ResourceToken> received, String path) {
    ResourceRecord r =
        resources
            .findByToken(token)
            .filter(found -> found.status() == ResourceStatus.ACTIVE)
            .orElseThrow(() ->
                new ApiException(
                    ErrorCode.INVALID_MANIFEST, path + ": no live resource has this token."));
    boolean owned =
        switch (caller) {
          case Caller.Member m -> r.teamId().equals(Optional.of(m.teamId()));
          case Caller.Anonymous a -> r.teamId().isEmpty() && received.contains(token);
        };
    if (!owned) {
      throw new ApiException(
          ErrorCode.FORBIDDEN,
          path
              + ": this resource is not the caller's to use"
              + (caller instanceof Caller.Member
                  ? " (it belongs to another team or to nobody yet)."
                  : " (an anonymous stack uses only anonymous resources whose upgrade_jwt it sends"
                      + " in X-Instanode-Upgrade)."));
    }
    return r;
  }

  private String url(ResourceRecord r, String path) {
    String url =
        aes.decrypt(
            r.encryptedConnectionUrl()
                .orElseThrow(() ->
                    new ApiException(
                        ErrorCode.INVALID_MANIFEST, path + ": this resource has no URL yet.")));
    return resourceHost.map(host -> withHost(url, host)).orElse(url);
  }

  /** {@code url} with its host replaced; user, password, port, path and query kept as written. */
  static String withHost(String url, String host) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return url;
    }
    int from = scheme + 3;
    int to = from;
    while (to < url.length() && url.charAt(to) != '/' && url.charAt(to) != '?') {
      to++;
    }
    String authority = url.substring(from, to);
    int at = authority.lastIndexOf('@');
    String hostPort = authority.substring(at + 1);
    int colon = hostPort.lastIndexOf(':');
    return url.substring(0, from)
        + authority.substring(0, at + 1)
        + host
        + (colon >= 0 ? hostPort.substring(colon) : "")
        + url.substring(to);
  }
}
