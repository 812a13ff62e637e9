package dev.instanode.server;

import java.util.Optional;

/**
 * Every setting instanode reads from the environment. Production ({@code serve}) and the embedded
 * default ({@code dev}) read the same names; dev mode only fills in defaults first.
 */
public enum Setting {
  DATABASE_URL(true, null, "Platform database, postgres://user:pass@host:port/db"),
  CUSTOMER_DATABASE_URLS(
      true, null, "Comma-separated superuser URLs of the customer Postgres clusters"),
  CUSTOMER_PUBLIC_HOST(
      false, null, "Host put in customer URLs when it differs from the cluster URL's host"),
  REDIS_URL(true, null, "Platform Redis, redis://user:pass@host:port/0"),
  CUSTOMER_REDIS_URL(
      false, "REDIS_URL", "Admin URL of the Redis that holds customer caches (needs an ACL file)"),
  AES_KEY(true, null, "64 hex characters; encrypts connection URLs at rest"),
  JWT_SECRET(true, null, "At least 32 bytes; signs session and onboarding tokens"),
  INTERNAL_JWT_SECRET(
      false, null, "At least 32 bytes; authenticates /internal/* calls (unset: they are refused)"),
  HOST(false, "0.0.0.0", "Address the HTTP server binds (dev: 127.0.0.1)"),
  PORT(false, "8080", "HTTP port"),
  PUBLIC_BASE_URL(false, "http://localhost:<PORT>", "URL clients reach the api on, used in links"),
  UPGRADE_URL(
      false,
      "<PUBLIC_BASE_URL>/api/v1/capabilities",
      "Where a free team upgrades (your billing page), given as upgrade_url"),
  LEGACY_API_KEY_TTL(
      false, "90d", "Lifetime of the API keys GET /api/me/token mints for older clients"),
  INSTANODE_ANON_TTL(false, "24h", "Lifetime of anonymous and free resources (e.g. 90s, 15m)"),
  DATABASE_POOL_SIZE(false, "10", "Platform database connection pool size"),
  DATABASE_POOL_TIMEOUT(
      false, "5s", "Longest a request waits for a platform database connection before a 503"),
  HTTP_REQUEST_READ_TIMEOUT(
      false,
      "20s",
      "Longest a client may take to send a request's headers, and again its body; then it is"
          + " disconnected"),
  METRICS_TOKEN(false, null, "When set, /metrics requires it as a bearer token"),
  LOG_FORMAT(false, "json", "json (one JSON object a line) or text (dev default)"),
  INSTANODE_COMMIT_ID(false, "unknown", "Commit reported by /healthz"),
  PROVISIONER_DATABASE_URL(
      false, "DATABASE_URL", "Database for the provisioner's own schema (pool_items)"),
  POOL_POSTGRES_SIZE(false, "10", "Ready pre-made Postgres databases to keep; 0 disables"),
  POOL_REDIS_SIZE(false, "10", "Ready pre-made Redis users to keep; 0 disables"),
  POOL_REFILL_INTERVAL(false, "30s", "How often the pool is topped up and reaped"),
  CUSTOMER_CLUSTER_CAPACITY(false, "400", "Customer databases one cluster should hold"),
  PROVISIONER_ADDR(
      false, null, "host:port of a remote provisioner; unset: the api provisions in-process"),
  PROVISIONER_SECRET(
      false, null, "At least 32 bytes; shared by the provisioner's gRPC server and its clients"),
  PROVISIONER_GRPC_PORT(false, "50051", "Port the provisioner role serves gRPC on"),
  KUBERNETES_MODE(
      false,
      "auto",
      "Where stacks run. auto: KUBECONFIG, ~/.kube/config or the pod's service account (none"
          + " found: stacks are off); off: every stack route answers 503 stacks_unavailable;"
          + " simulated: an in-process mock API server, objects stored and no container run (dev's"
          + " default without KUBECONFIG)"),
  STACKS_DOMAIN(
      false,
      "stacks.localhost",
      "Exposed stack services are published at <service>-<slug>.<STACKS_DOMAIN>"),
  STACKS_RESOURCE_HOST(
      false,
      null,
      "Host a stack's pods reach resources at, put in the URLs its needs inject; unset keeps each"
          + " URL as it is"),
  DEDICATED_BACKENDS(
      false,
      "auto",
      "auto: a plan with dedicated: true gets each new Postgres or Redis its own server in an"
          + " instant-customer-<token> namespace when the provisioner has a real cluster (never the"
          + " simulated one); off: such plans use the shared backend, and replies say so"),
  DEDICATED_POSTGRES_IMAGE(false, "pgvector/pgvector:pg16", "Image of a dedicated Postgres server"),
  DEDICATED_REDIS_IMAGE(false, "redis:7-alpine", "Image of a dedicated Redis server"),
  DEDICATED_READY_TIMEOUT(
      false,
      "3m",
      "How long a dedicated provision waits for its pod to be Ready and the tenant's credentials"
          + " to work before it tears everything down and answers 503 (1s to 3m30s)"),
  DEDICATED_PUBLIC_HOST(
      false,
      null,
      "Set: dedicated Services are NodePorts and URLs use this host and the node port; unset: URLs"
          + " use <service>.<namespace>.svc.cluster.local (reachable inside the cluster)"),
  DEDICATED_STORAGE_CLASS(
      false, null, "Storage class of dedicated servers' volumes; unset: the cluster's default"),
  S3_ENDPOINT(
      false,
      null,
      "S3 API the shared storage bucket is on (dev: the embedded S3Proxy); unset: /storage/new"
          + " answers 503 service_unavailable"),
  S3_PUBLIC_ENDPOINT(
      false, null, "Where clients reach the S3 API, for presigned URLs; unset: S3_ENDPOINT"),
  S3_REGION(false, "us-east-1", "Region presigned URLs are signed for"),
  S3_BUCKET(
      false, "instant-shared", "The shared bucket; each storage tenant is its <token>/ prefix"),
  S3_ACCESS_KEY(false, null, "The platform's access key to the bucket (never given to tenants)"),
  S3_SECRET_KEY(false, null, "The platform's secret key to the bucket"),
  QUEUE_NATS_AUTH_FILE(
      false,
      null,
      "The authorization file the NATS server's config includes; the provisioner rewrites it as"
          + " queues come and go (dev: the embedded nats-server's). Unset: /queue/new answers 503"),
  QUEUE_NATS_PID_FILE(
      false, null, "The NATS server's pid file; the provisioner signals it to reload (SIGHUP)"),
  QUEUE_NATS_HOST(
      false, "127.0.0.1", "Where the provisioner reaches the NATS server to check a new user"),
  QUEUE_NATS_PUBLIC_HOST(
      false, null, "Where clients reach it, put in queue URLs; unset: QUEUE_NATS_HOST"),
  QUEUE_NATS_PORT(false, "4222", "The NATS server's client port"),
  SMTP_URL(
      false,
      null,
      "Mail server for invitations and sign-in links: smtp://user:pass@host:587?starttls=true or"
          + " smtps://user:pass@host:465. Unset: routes that mail answer 503 (dev: mail goes to"
          + " the log)"),
  MAIL_FROM(false, "no-reply@localhost", "The From address of the mail instanode sends"),
  MAIL_LOG(
      false,
      "false",
      "true: write mail to the log at INFO instead of sending it, when SMTP_URL is unset (dev"
          + " default; a sign-in link in a log is a credential in a log)"),
  OSB_USERNAME(
      false,
      null,
      "Basic-auth user of the Open Service Broker API under /v2; with OSB_PASSWORD it turns the"
          + " broker on (unset: /v2 is not served)"),
  OSB_PASSWORD(false, null, "Basic-auth password of the broker, at least 16 characters"),
  OSB_TEAM_ID(
      false,
      null,
      "The team (uuid) broker instances belong to; unset: the broker's own team, made on first"
          + " use on the top plan"),
  TRUSTED_PROXIES(
      false, null, "Comma-separated CIDRs whose X-Forwarded-For is believed (e.g. 10.0.0.0/8)"),
  TRUSTED_PROXY_HEADER(
      false,
      "x-forwarded-for",
      "The header your proxies append the client's address to: x-forwarded-for or forwarded");

  private final boolean required;
  private final String defaultValue;
  private final String description;

  Setting(boolean required, String defaultValue, String description) {
    this.required = required;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  public boolean required() {
    return required;
  }

  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  public String description() {
    return description;
  }
}
