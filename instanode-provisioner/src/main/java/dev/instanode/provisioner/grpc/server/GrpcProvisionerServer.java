package dev.instanode.provisioner.grpc.server;

import static java.util.Objects.requireNonNull;

import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.grpc.GrpcProvisionerClient;
import dev.instanode.provisioner.grpc.ProvisionerSecret;
import dev.instanode.provisioner.grpc.proto.ProvisionerServiceGrpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link Provisioner} (in production the LocalProvisioner) over gRPC, next to the standard
 * {@code grpc.health.v1} service.
 *
 * <p>Every provisioner call must carry {@code x-instant-provisioner-token} equal to
 * PROVISIONER_SECRET. The health service is deliberately outside that check: Kubernetes gRPC probes
 * cannot send metadata, and it reveals nothing beyond SERVING / NOT_SERVING.
 *
 * <p>Plaintext only. TLS (or mTLS) is out of scope here; the transport is meant for a private
 * network or a service mesh that encrypts pod-to-pod traffic.
 */
public final class GrpcProvisionerServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcProvisionerServer.class);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  /** The health service name this server reports, besides the overall {@code ""}. */
  public static final String SERVICE_NAME = ProvisionerServiceGrpc.SERVICE_NAME;

  private final Server server;
  private final HealthStatusManager health;
  private final ExecutorService executor;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private GrpcProvisionerServer(
      Server server, HealthStatusManager health, ExecutorService executor) {
    this.server = server;
    this.health = health;
    this.executor = executor;
    // Read once: a terminated Server no longer answers getPort().
    this.port = server.getPort();
  }

  /**
   * Binds and starts serving.
   *
   * @param host the address to bind, e.g. {@code 0.0.0.0} in a pod or {@code 127.0.0.1} in tests
   * @param port the port to bind; 0 picks a free one, see {@link #port()}
   * @param secret the shared PROVISIONER_SECRET
   * @throws IllegalArgumentException naming PROVISIONER_SECRET when the secret is null, blank or
   *     shorter than 32 bytes: the server does not start without authentication
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static GrpcProvisionerServer start(
      String host, int port, String secret, Provisioner provisioner, Clock clock) {
    ProvisionerSecret checked = ProvisionerSecret.of(secret);
    requireNonNull(host, "host is null");
    requireNonNull(provisioner, "provisioner is null");
    requireNonNull(clock, "clock is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    HealthStatusManager health = new HealthStatusManager();
    // Provisioning blocks on JDBC for seconds; virtual threads keep that cheap.
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(host, port), InsecureServerCredentials.create())
            .executor(executor)
            // StopRunawayWork carries every tenant's bounds: as large as an inventory.
            .maxInboundMessageSize(GrpcProvisionerClient.MAX_MESSAGE_BYTES)
            .addService(
                ServerInterceptors.intercept(
                    new ProvisionerGrpcService(provisioner, clock),
                    new TokenAuthInterceptor(checked)))
            .addService(health.getHealthService())
            .build();
    try {
      server.start();
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("cannot bind provisioner gRPC on " + host + ":" + port, e);
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    health.setStatus(SERVICE_NAME, ServingStatus.SERVING);
    LOG.info("provisioner.grpc.started host={} port={}", host, server.getPort());
    return new GrpcProvisionerServer(server, health, executor);
  }

  /** The bound port; the real one when started with port 0. */
  public int port() {
    return port;
  }

  /**
   * Reports NOT_SERVING from now on while still answering calls, so probes and load balancers stop
   * sending work before {@link #close()} refuses it. Call on SIGTERM, wait, then close.
   */
  public void beginShutdown() {
    health.enterTerminalState();
  }

  /**
   * Reports NOT_SERVING, stops accepting calls, and gives in-flight calls ten seconds to finish
   * before cancelling them. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    beginShutdown();
    server.shutdown();
    try {
      if (!server.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("provisioner.grpc.shutdown_forced grace={}", SHUTDOWN_GRACE);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdownNow();
    }
    LOG.info("provisioner.grpc.stopped port={}", port);
  }
}
