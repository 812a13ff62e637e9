package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The one server a dedicated namespace runs: what its container is, as the backend that owns the
 * engine (Postgres, Redis) describes it. The objects around it (quota, policy, volume, service) are
 * the same for every engine.
 *
 * @param name the Deployment's, Service's and container's name ({@code postgres}, {@code redis})
 * @param args the container's arguments; {@code $(VAR)} refers to its env
 * @param secretEnv env var → key of the admin Secret it is read from
 * @param env plain env vars
 * @param dataPath where the volume is mounted
 * @param runAsUser the image's own non-root user
 * @param readOnlyRoot whether the root filesystem can be read-only (the engine writes only to its
 *     volume)
 * @param readiness the exec probe that says the server accepts connections; empty: a TCP check on
 *     its port
 * @param secretFiles file path → key of the admin Secret it holds, read-only: what the server reads
 *     at each start (a config file) and the Secret keeps across restarts. Each file's directory is
 *     mounted whole, holding only the Secret's files, so it must be one of the server's own
 */
public record DedicatedServer(
    String name,
    String image,
    int port,
    List<String> args,
    Map<String, String> secretEnv,
    Map<String, String> env,
    String dataPath,
    long runAsUser,
    boolean readOnlyRoot,
    List<String> readiness,
    Map<String, String> secretFiles) {
  public DedicatedServer {
    requireNonNull(name, "name is null");
    requireNonNull(image, "image is null");
    args = List.copyOf(args);
    secretEnv = Map.copyOf(secretEnv);
    env = Map.copyOf(env);
    requireNonNull(dataPath, "dataPath is null");
    readiness = List.copyOf(readiness);
    secretFiles = Map.copyOf(secretFiles);
    for (String path : secretFiles.keySet()) {
      String dir = directoryOf(path);
      if (dir.equals("/") || dir.equals(dataPath) || dir.equals("/tmp") || path.endsWith("/")) {
        throw new IllegalArgumentException("a Secret's file needs a directory of its own");
      }
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range");
    }
    if (runAsUser < 1) {
      throw new IllegalArgumentException("a dedicated server never runs as root");
    }
  }

  /** The directory {@code path} is in: where its Secret's files are mounted. */
  static String directoryOf(String path) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("a Secret's file has an absolute path");
    }
    int slash = path.lastIndexOf('/');
    return slash == 0 ? "/" : path.substring(0, slash);
  }
}
