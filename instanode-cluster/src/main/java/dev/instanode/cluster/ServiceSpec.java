package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * One service of a stack as the cluster runs it.
 *
 * @param env the container's environment, values included: it travels in a Secret, never in the
 *     Deployment
 * @param expose reachable from outside through an Ingress at {@code <name>-<slug>.<domain>}
 */
public record ServiceSpec(
    String name, String image, int port, boolean expose, Map<String, String> env) {
  /** A DNS label short enough to leave room for {@code -<slug>} in a host name. */
  private static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]{0,38}[a-z0-9])?");

  public ServiceSpec {
    requireNonNull(name, "name is null");
    requireNonNull(image, "image is null");
    env = Map.copyOf(requireNonNull(env, "env is null"));
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a service name is a DNS label of at most 40 characters");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("a port is 1-65535");
    }
  }

  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }
}
