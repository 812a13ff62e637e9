package dev.instanode.server;

import dev.instanode.api.auth.Cidr;
import dev.instanode.api.auth.ClientAddress;
import dev.instanode.api.broker.BrokerSettings;
import dev.instanode.api.mail.SmtpSettings;
import dev.instanode.core.DurationText;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ResourceKind;
import dev.instanode.core.ResourceKinds;
import dev.instanode.core.ResourceType;
import dev.instanode.core.TeamId;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.objects.ObjectStoreSettings;
import dev.instanode.provisioner.queue.NatsSettings;
import dev.instanode.worker.WorkerSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/** Validated settings. Built only by {@link #from}, which names every bad variable at once. */
public record Config(
    PostgresUrl databaseUrl,
    List<PostgresUrl> customerDatabaseUrls,
    Optional<String> customerPublicHost,
    URI redisUrl,
    String aesKey,
    String jwtSecret,
    Optional<String> internalJwtSecret,
    String host,
    int port,
    String publicBaseUrl,
    String upgradeUrl,
    Duration legacyApiKeyTtl,
    Duration anonymousTtl,
    int databasePoolSize,
    Duration databasePoolTimeout,
    Duration requestReadTimeout,
    Optional<String> metricsToken,
    String logFormat,
    String commitId,
    PostgresUrl provisionerDatabaseUrl,
    Map<ResourceType, Integer> poolSizes,
    Duration poolRefillInterval,
    int customerClusterCapacity,
    List<Cidr> trustedProxies,
    ClientAddress.Header trustedProxyHeader,
    URI customerRedisUrl,
    Optional<HostAndPort> provisionerAddr,
    Optional<String> provisionerSecret,
    int provisionerGrpcPort,
    StackSettings stacks,
    DedicatedConfig dedicated,
    Optional<ObjectStoreSettings> objectStore,
    Optional<NatsSettings> queue,
    Optional<SmtpSettings> smtp,
    boolean mailLog,
    Optional<BrokerSettings> broker,
    WorkerSettings worker) {

  public static Config from(Map<String, String> env) {
    Reader r = new Reader(env);
    PostgresUrl database = r.required(Setting.DATABASE_URL, PostgresUrl::parse);
    List<PostgresUrl> customers =
        r.required(
            Setting.CUSTOMER_DATABASE_URLS,
            raw -> {
              List<PostgresUrl> urls = new ArrayList<>();
              for (String part : raw.split(",")) {
                if (!part.isBlank()) {
                  urls.add(PostgresUrl.parse(part));
                }
              }
              if (urls.isEmpty()) {
                throw new IllegalArgumentException("lists no URL");
              }
              return List.copyOf(urls);
            });
    URI redis = r.required(Setting.REDIS_URL, Config::redisUri);
    String aesKey =
        r.required(
            Setting.AES_KEY,
            raw -> {
              AesGcm.fromHexKey(raw);
              return raw;
            });
    String jwt = r.required(Setting.JWT_SECRET, Config::secret32);
    Optional<String> internal = r.optional(Setting.INTERNAL_JWT_SECRET, Config::secret32);
    String host = r.withDefault(Setting.HOST, Function.identity());
    Integer port = r.withDefault(Setting.PORT, raw -> intInRange(raw, 0, 65535));
    String publicBase =
        r.optional(Setting.PUBLIC_BASE_URL, Config::httpUrl).orElse("http://localhost:" + port);
    String upgrade =
        r.optional(Setting.UPGRADE_URL, Config::httpUrl)
            .orElse(publicBase.replaceAll("/+$", "") + "/api/v1/capabilities");
    Duration legacyKeyTtl =
        r.withDefault(Setting.LEGACY_API_KEY_TTL, raw -> atLeast(DurationText.parse(raw), 60_000));
    Duration ttl = r.withDefault(Setting.INSTANODE_ANON_TTL, DurationText::parse);
    Integer pool = r.withDefault(Setting.DATABASE_POOL_SIZE, raw -> intInRange(raw, 1, 200));
    Duration poolTimeout =
        r.withDefault(Setting.DATABASE_POOL_TIMEOUT, raw -> atLeast(DurationText.parse(raw), 250));
    Duration readTimeout =
        r.withDefault(
            Setting.HTTP_REQUEST_READ_TIMEOUT, raw -> atLeast(DurationText.parse(raw), 1000));
    Optional<String> metricsToken = r.optional(Setting.METRICS_TOKEN, Function.identity());
    String mailFrom = r.withDefault(Setting.MAIL_FROM, Function.identity());
    Optional<SmtpSettings> smtp =
        r.optional(Setting.SMTP_URL, raw -> SmtpSettings.parse(raw, mailFrom));
    Boolean mailLog = r.withDefault(Setting.MAIL_LOG, Config::bool);
    String logFormat =
        r.withDefault(
            Setting.LOG_FORMAT,
            raw -> {
              if (!raw.equals("json") && !raw.equals("text")) {
                throw new IllegalArgumentException("must be json or text");
              }
              return raw;
            });
    Optional<String> customerHost = r.optional(Setting.CUSTOMER_PUBLIC_HOST, Function.identity());
    String commit = r.withDefault(Setting.INSTANODE_COMMIT_ID, Function.identity());
    PostgresUrl provisionerDb =
        r.optional(Setting.PROVISIONER_DATABASE_URL, PostgresUrl::parse).orElse(database);
    Map<ResourceType, Integer> poolSizes = new EnumMap<>(ResourceType.class);
    for (ResourceKind kind : ResourceKinds.all()) {
      poolSizes.put(
          kind.type(),
          kind.poolSizeSetting()
              .map(setting ->
                  r.withDefault(Setting.valueOf(setting), raw -> intInRange(raw, 0, 1000)))
              .orElse(0));
    }
    Duration refill = r.withDefault(Setting.POOL_REFILL_INTERVAL, DurationText::parse);
    Integer capacity =
        r.withDefault(Setting.CUSTOMER_CLUSTER_CAPACITY, raw -> intInRange(raw, 1, 100_000));
    List<Cidr> proxies =
        r.optional(
                Setting.TRUSTED_PROXIES,
                raw -> {
                  List<Cidr> cidrs = new ArrayList<>();
                  for (String part : raw.split(",")) {
                    if (!part.isBlank()) {
                      cidrs.add(Cidr.parse(part));
                    }
                  }
                  return List.copyOf(cidrs);
                })
            .orElse(List.of());
    ClientAddress.Header proxyHeader =
        r.withDefault(Setting.TRUSTED_PROXY_HEADER, ClientAddress.Header::parse);
    URI customerRedis = r.optional(Setting.CUSTOMER_REDIS_URL, Config::redisUri).orElse(redis);
    Optional<HostAndPort> provisionerAddr =
        r.optional(Setting.PROVISIONER_ADDR, HostAndPort::parse);
    Optional<String> provisionerSecret = r.optional(Setting.PROVISIONER_SECRET, Config::secret32);
    if (provisionerAddr.isPresent() && provisionerSecret.isEmpty()) {
      r.problem("PROVISIONER_SECRET is not set (required with PROVISIONER_ADDR)");
    }
    Integer grpcPort =
        r.withDefault(Setting.PROVISIONER_GRPC_PORT, raw -> intInRange(raw, 0, 65535));
    StackSettings.Mode kubernetesMode =
        r.withDefault(Setting.KUBERNETES_MODE, StackSettings.Mode::parse);
    String stacksDomain = r.withDefault(Setting.STACKS_DOMAIN, StackSettings::domain);
    Optional<String> resourceHost = r.optional(Setting.STACKS_RESOURCE_HOST, Function.identity());
    DedicatedConfig.Mode dedicatedMode =
        r.withDefault(Setting.DEDICATED_BACKENDS, DedicatedConfig.Mode::parse);
    String dedicatedPostgres = r.withDefault(Setting.DEDICATED_POSTGRES_IMAGE, Config::image);
    String dedicatedRedis = r.withDefault(Setting.DEDICATED_REDIS_IMAGE, Config::image);
    Duration dedicatedTimeout =
        r.withDefault(
            Setting.DEDICATED_READY_TIMEOUT,
            raw -> DedicatedConfig.readyTimeout(DurationText.parse(raw)));
    Optional<String> dedicatedHost = r.optional(Setting.DEDICATED_PUBLIC_HOST, Function.identity());
    Optional<String> storageClass =
        r.optional(Setting.DEDICATED_STORAGE_CLASS, Function.identity());
    Optional<ObjectStoreSettings> objectStore = objectStore(r);
    Optional<NatsSettings> queue = queue(r);
    Optional<BrokerSettings> broker = broker(r);
    WorkerSettings worker = null;
    try {
      worker = WorkerSettings.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      r.problem(e.getMessage());
    }
    r.throwIfInvalid();
    return new Config(
        database,
        customers,
        customerHost,
        redis,
        aesKey,
        jwt,
        internal,
        host,
        port,
        publicBase.replaceAll("/+$", ""),
        upgrade,
        legacyKeyTtl,
        ttl,
        pool,
        poolTimeout,
        readTimeout,
        metricsToken,
        logFormat,
        commit,
        provisionerDb,
        Map.copyOf(poolSizes),
        refill,
        capacity,
        proxies,
        proxyHeader,
        customerRedis,
        provisionerAddr,
        provisionerSecret,
        grpcPort,
        new StackSettings(kubernetesMode, stacksDomain, resourceHost),
        new DedicatedConfig(
            dedicatedMode,
            dedicatedPostgres,
            dedicatedRedis,
            dedicatedTimeout,
            dedicatedHost,
            storageClass),
        objectStore,
        queue,
        smtp,
        Boolean.TRUE.equals(mailLog),
        broker,
        worker);
  }

  /** The Open Service Broker API, when both its credentials are set (one alone is a mistake). */
  private static Optional<BrokerSettings> broker(Reader r) {
    Optional<String> user = r.optional(Setting.OSB_USERNAME, Function.identity());
    Optional<String> password = r.optional(Setting.OSB_PASSWORD, Function.identity());
    Optional<TeamId> team =
        r.optional(Setting.OSB_TEAM_ID, raw -> new TeamId(UUID.fromString(raw.trim())));
    if (user.isEmpty() && password.isEmpty()) {
      if (team.isPresent()) {
        r.problem("OSB_TEAM_ID is set but OSB_USERNAME and OSB_PASSWORD are not");
      }
      return Optional.empty();
    }
    if (user.isEmpty() || password.isEmpty()) {
      r.problem("OSB_USERNAME and OSB_PASSWORD turn the broker on together: set both or neither");
      return Optional.empty();
    }
    try {
      return Optional.of(new BrokerSettings(user.get(), password.get(), team));
    } catch (IllegalArgumentException e) {
      r.problem(e.getMessage());
      return Optional.empty();
    }
  }

  /** The NATS server, when its authorization file is named; its pid file is then required. */
  private static Optional<NatsSettings> queue(Reader r) {
    Optional<Path> auth = r.optional(Setting.QUEUE_NATS_AUTH_FILE, Path::of);
    if (auth.isEmpty()) {
      return Optional.empty();
    }
    Path pid = r.required(Setting.QUEUE_NATS_PID_FILE, Path::of);
    String host = r.withDefault(Setting.QUEUE_NATS_HOST, Function.identity());
    String publicHost =
        r.optional(Setting.QUEUE_NATS_PUBLIC_HOST, Function.identity()).orElse(host);
    Integer port = r.withDefault(Setting.QUEUE_NATS_PORT, raw -> intInRange(raw, 1, 65535));
    if (pid == null || port == null) {
      return Optional.empty();
    }
    return Optional.of(new NatsSettings(host, publicHost, port, auth.get(), pid));
  }

  /**
   * The kinds this deployment serves: every kind whose server is configured. A provisioner in
   * another process reads the same settings, so the api can tell without asking it.
   */
  public Set<ResourceType> servedKinds() {
    Set<ResourceType> served = EnumSet.allOf(ResourceType.class);
    if (objectStore.isEmpty()) {
      served.remove(ResourceType.STORAGE);
    }
    if (queue.isEmpty()) {
      served.remove(ResourceType.QUEUE);
    }
    return Set.copyOf(served);
  }

  /** The shared bucket, when S3_ENDPOINT is set; its keys are then required. */
  private static Optional<ObjectStoreSettings> objectStore(Reader r) {
    Optional<URI> endpoint = r.optional(Setting.S3_ENDPOINT, Config::httpUri);
    if (endpoint.isEmpty()) {
      return Optional.empty();
    }
    URI publicEndpoint =
        r.optional(Setting.S3_PUBLIC_ENDPOINT, Config::httpUri).orElse(endpoint.get());
    String region = r.withDefault(Setting.S3_REGION, Function.identity());
    String bucket = r.withDefault(Setting.S3_BUCKET, Config::bucketName);
    String access = r.required(Setting.S3_ACCESS_KEY, Function.identity());
    String secret = r.required(Setting.S3_SECRET_KEY, Function.identity());
    if (access == null || secret == null || bucket == null) {
      return Optional.empty();
    }
    return Optional.of(
        new ObjectStoreSettings(endpoint.get(), publicEndpoint, region, bucket, access, secret));
  }

  private static URI httpUri(String raw) {
    URI uri = uri(raw);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("must start with http:// or https://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("has no host");
    }
    return uri;
  }

  /** S3's rule for bucket names: 3 to 63 lower-case letters, digits, dots and hyphens. */
  private static String bucketName(String raw) {
    if (!raw.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw new IllegalArgumentException(
          "must be 3 to 63 lower-case letters, digits, dots or hyphens");
    }
    return raw;
  }

  private static String image(String raw) {
    if (raw.isBlank() || raw.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("must be an image reference without spaces");
    }
    return raw;
  }

  private static Duration atLeast(Duration value, long millis) {
    if (value.toMillis() < millis) {
      throw new IllegalArgumentException("must be at least " + millis + " ms");
    }
    return value;
  }

  private static URI redisUri(String raw) {
    URI uri = uri(raw);
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
      throw new IllegalArgumentException("must start with redis:// or rediss://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("has no host");
    }
    return uri;
  }

  // URISyntaxException messages quote the input, which may hold a password.
  private static URI uri(String raw) {
    try {
      return new URI(raw.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a valid URL");
    }
  }

  private static Boolean bool(String raw) {
    return switch (raw) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("must be true or false");
    };
  }

  private static String secret32(String raw) {
    if (raw.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new IllegalArgumentException("must be at least 32 bytes");
    }
    return raw;
  }

  private static String httpUrl(String raw) {
    URI uri = uri(raw);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("must be an http:// or https:// URL");
    }
    return raw.trim();
  }

  private static int intInRange(String raw, int min, int max) {
    int value;
    try {
      value = Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a whole number");
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException("must be between " + min + " and " + max);
    }
    return value;
  }

  /** Collects problems instead of stopping at the first. */
  private static final class Reader {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    Reader(Map<String, String> env) {
      this.env = env;
    }

    <T> T required(Setting s, Function<String, T> parse) {
      String raw = env.get(s.name());
      if (raw == null || raw.isBlank()) {
        problems.add(s.name() + " is not set (" + s.description() + ")");
        return null;
      }
      return parse(s, raw, parse);
    }

    <T> Optional<T> optional(Setting s, Function<String, T> parse) {
      String raw = env.get(s.name());
      if (raw == null || raw.isBlank()) {
        return Optional.empty();
      }
      return Optional.ofNullable(parse(s, raw, parse));
    }

    <T> T withDefault(Setting s, Function<String, T> parse) {
      String raw = env.get(s.name());
      if (raw == null || raw.isBlank()) {
        raw = s.defaultValue().orElseThrow();
      }
      return parse(s, raw, parse);
    }

    private <T> T parse(Setting s, String raw, Function<String, T> parse) {
      try {
        return parse.apply(raw);
      } catch (RuntimeException e) {
        problems.add(s.name() + " " + e.getMessage());
        return null;
      }
    }

    void problem(String text) {
      problems.add(text);
    }

    void throwIfInvalid() {
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
    }
  }
}
