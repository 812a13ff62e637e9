package dev.instanode.server;

import dev.instanode.cluster.ServiceAddress;
import dev.instanode.cluster.ServiceAddresses;
import dev.instanode.embedded.EmbeddedPostgresServer;
import dev.instanode.embedded.EmbeddedRedisServer;
import dev.instanode.testkit.TestPostgres;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the kubelet and the images do, for the fabric8 mock API server, which stores objects and
 * runs nothing: for each dedicated Deployment it starts a real embedded server the way the image
 * would from the pod's env and args (the Postgres image makes {@code POSTGRES_USER} a superuser
 * with {@code POSTGRES_PASSWORD}; {@code redis-server} takes its {@code --requirepass}, {@code
 * --user} and caps from its arguments, and the {@code user} lines of the config file its first
 * argument names, read from the Secret volume mounted there), then reports the pod Ready. Its
 * {@link #addresses} resolve each Service to its server. A namespace deleted is a server stopped;
 * {@link #restart} starts one again from its Deployment and Secret as they are now.
 */
final class FakeKubelet implements AutoCloseable {
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Z_]+)\\)");

  private final KubernetesClient kube;
  private final Path work;
  private final Map<String, ServiceAddress> addresses = new ConcurrentHashMap<>();
  private final Map<String, AutoCloseable> servers = new ConcurrentHashMap<>();
  private volatile String holdReason;
  private final Thread loop;
  private volatile boolean closed;

  FakeKubelet(KubernetesClient kube) throws Exception {
    this.kube = kube;
    this.work = Files.createTempDirectory("fake-kubelet");
    this.loop = Thread.ofVirtual().name("fake-kubelet").start(this::run);
  }

  /** Services resolve to the servers this started; any other to nothing. */
  ServiceAddresses addresses() {
    return (namespace, service, port, nodePort) ->
        Optional.ofNullable(addresses.get(namespace.value() + "/" + service));
  }

  /** New servers' pods wait with {@code reason} (ImagePullBackOff, ...) until {@link #release}. */
  void hold(String reason) {
    holdReason = reason;
  }

  void release() {
    holdReason = null;
  }

  /** The server started for a namespace, to look inside it as its admin. */
  Optional<ServiceAddress> address(String namespace, String service) {
    return Optional.ofNullable(addresses.get(namespace + "/" + service));
  }

  boolean running(String namespace) {
    return servers.keySet().stream().anyMatch(k -> k.startsWith(namespace + "/"));
  }

  private void run() {
    while (!closed) {
      try {
        tick();
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The mock server answers between tests too; try again next tick.
      }
    }
  }

  /**
   * What a Redis pod's restart does: the server stops, and starts again from its Deployment and
   * Secret as they are now, on the same data directory (its volume) and port (its Service), with no
   * users but those they make.
   */
  synchronized void restart(String namespace, String name) {
    String key = namespace + "/" + name;
    ServiceAddress was = addresses.get(key);
    if (was == null || name.equals("postgres")) {
      throw new IllegalArgumentException("no Redis server runs as " + key);
    }
    stop(key);
    start(
        namespace,
        kube.apps().deployments().inNamespace(namespace).withName(name).require(),
        was.port());
  }

  private synchronized void tick() {
    List<String> live = new ArrayList<>();
    for (Namespace n : kube.namespaces().list().getItems()) {
      String ns = n.getMetadata().getName();
      if (!ns.startsWith("instant-customer-")) {
        continue;
      }
      live.add(ns);
      for (Deployment d : kube.apps().deployments().inNamespace(ns).list().getItems()) {
        String key = ns + "/" + d.getMetadata().getName();
        if (servers.containsKey(key)) {
          continue;
        }
        String reason = holdReason;
        if (reason != null) {
          waiting(ns, d.getMetadata().getName(), reason);
          continue;
        }
        start(ns, d, 0);
      }
    }
    for (String key : List.copyOf(servers.keySet())) {
      if (!live.contains(key.substring(0, key.indexOf('/')))) {
        stop(key);
      }
    }
  }

  private void waiting(String ns, String name, String reason) {
    kube.pods()
        .inNamespace(ns)
        .resource(pod(name, Optional.of(reason)))
        .createOr(op -> op.update());
  }

  /** The server's pod as the kubelet reports it: Ready, or waiting for {@code reason}. */
  static Pod pod(String server, Optional<String> waitingFor) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(server + "-0")
            .addToLabels("instanode.dev/service", server)
            .endMetadata();
    return waitingFor
        .map(reason ->
            pod.withNewStatus()
                .addNewContainerStatus()
                .withName(server)
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus())
        .orElseGet(() ->
            pod.withNewStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus())
        .build();
  }

  private void start(String ns, Deployment d, int port) {
    String name = d.getMetadata().getName();
    Container c = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
    Map<String, String> env = env(ns, c);
    Path dir = work.resolve(ns + "-" + name);
    ServiceAddress address;
    AutoCloseable server;
    try {
      if (name.equals("postgres")) {
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir, 0, false);
        server = pg;
        try (Connection conn = TestPostgres.connect(pg.superuserUrl("postgres"));
            Statement s = conn.createStatement()) {
          s.execute(
              "CREATE ROLE \""
                  + env.get("POSTGRES_USER")
                  + "\" SUPERUSER LOGIN PASSWORD '"
                  + env.get("POSTGRES_PASSWORD")
                  + "'");
        }
        address = new ServiceAddress("127.0.0.1", pg.port());
      } else {
        List<String> args = new ArrayList<>();
        for (String a : c.getArgs()) {
          args.add(substitute(a, env));
        }
        String admin = args.get(args.indexOf("--requirepass") + 1);
        // redis-server [config file] --options: a first argument that is no option is a file.
        String config = args.get(1).startsWith("--") ? "" : secretFile(ns, d, args.get(1));
        // Its users come from its arguments and config file alone, never from a previous start.
        Files.deleteIfExists(dir.resolve("users.acl"));
        EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir, port, admin);
        server = redis;
        configure(redis.adminUrl(), args, config);
        address = new ServiceAddress("127.0.0.1", redis.port());
      }
    } catch (Exception e) {
      throw new IllegalStateException("the fake kubelet could not start " + name, e);
    }
    servers.put(ns + "/" + name, server);
    addresses.put(ns + "/" + name, address);
    kube.pods().inNamespace(ns).resource(pod(name, Optional.empty())).createOr(op -> op.update());
  }

  /**
   * The file at {@code path} as the kubelet mounts it: the key of the Secret volume mounted on its
   * directory. A key the Secret lacks fails the start, as the kubelet fails the volume.
   */
  private String secretFile(String ns, Deployment d, String path) {
    String dir = path.substring(0, path.lastIndexOf('/'));
    String file = path.substring(path.lastIndexOf('/') + 1);
    var pod = d.getSpec().getTemplate().getSpec();
    VolumeMount mount =
        pod.getContainers().getFirst().getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals(dir))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("nothing is mounted on " + dir));
    SecretVolumeSource volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()) && v.getSecret() != null)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException(dir + " is no Secret volume"))
            .getSecret();
    String key =
        volume.getItems().stream()
            .filter(i -> i.getPath().equals(file))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no Secret key is mounted as " + path))
            .getKey();
    Secret secret = kube.secrets().inNamespace(ns).withName(volume.getSecretName()).require();
    String encoded = secret.getData() == null ? null : secret.getData().get(key);
    if (encoded == null) {
      throw new IllegalStateException("the Secret has no key " + key);
    }
    return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  /**
   * What redis-server does with {@code --user ...} and the caps in its arguments, and with the
   * {@code user} lines of its config file (the only lines this knows).
   */
  private static void configure(String adminUrl, List<String> args, String config) {
    try (RedisClient client = RedisClient.create(adminUrl);
        StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> redis = c.sync();
      for (String cap : List.of("--maxclients", "--maxmemory", "--maxmemory-policy")) {
        int at = args.indexOf(cap);
        if (at >= 0) {
          redis.configSet(cap.substring(2), args.get(at + 1));
        }
      }
      int user = args.indexOf("--user");
      if (user >= 0) {
        CommandArgs<String, String> setuser =
            new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(args.get(user + 1));
        for (String rule : args.subList(user + 2, args.size())) {
          if (rule.startsWith("--")) {
            break;
          }
          setuser.add(rule);
        }
        redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), setuser);
      }
      for (String line : config.lines().toList()) {
        List<String> words = List.of(line.strip().split("\\s+"));
        if (line.isBlank() || line.strip().startsWith("#")) {
          continue;
        }
        if (!words.getFirst().equals("user") || words.size() < 2) {
          throw new IllegalStateException("the fake kubelet knows no config line " + line);
        }
        CommandArgs<String, String> setuser = new CommandArgs<>(StringCodec.UTF8).add("SETUSER");
        words.subList(1, words.size()).forEach(setuser::add);
        redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), setuser);
      }
    }
  }

  private Map<String, String> env(String ns, Container c) {
    Map<String, String> env = new HashMap<>();
    for (EnvVar v : c.getEnv()) {
      if (v.getValue() != null) {
        env.put(v.getName(), v.getValue());
      } else if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
        Secret secret =
            kube.secrets()
                .inNamespace(ns)
                .withName(v.getValueFrom().getSecretKeyRef().getName())
                .get();
        String encoded = secret.getData().get(v.getValueFrom().getSecretKeyRef().getKey());
        env.put(
            v.getName(), new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
      }
    }
    return env;
  }

  private static String substitute(String arg, Map<String, String> env) {
    Matcher m = VAR.matcher(arg);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(m.group(1), "")));
    }
    m.appendTail(out);
    return out.toString();
  }

  private void stop(String key) {
    AutoCloseable server = servers.remove(key);
    addresses.remove(key);
    if (server != null) {
      try {
        server.close();
      } catch (Exception e) {
        // Already gone.
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    loop.interrupt();
    List.copyOf(servers.keySet()).forEach(this::stop);
  }
}
