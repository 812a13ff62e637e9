package dev.instanode.provisioner.grpc;

import dev.instanode.core.crypto.Secrets;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.grpc.proto.ProvisionerServiceGrpc;
import dev.instanode.provisioner.grpc.proto.ProvisionerServiceGrpc.ProvisionerServiceBlockingStub;
import dev.instanode.provisioner.grpc.server.GrpcProvisionerServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server on 127.0.0.1 (free port) in front of a provisioner, a real client, and raw stubs
 * for what the client cannot send (no token, a wrong field). Closes everything it made.
 */
final class GrpcFixture implements AutoCloseable {
  static final String HOST = "127.0.0.1";
  static final Instant NOW = Instant.parse("2026-11-22T10:15:30Z");

  final String secret = Secrets.hex(32);
  final GrpcProvisionerServer server;
  final GrpcProvisionerClient client;
  private final List<AutoCloseable> extras = new ArrayList<>();

  private GrpcFixture(Provisioner provisioner, Deadlines deadlines) {
    server =
        GrpcProvisionerServer.start(HOST, 0, secret, provisioner, Clock.fixed(NOW, ZoneOffset.UTC));
    client = GrpcProvisionerClient.connect(HOST, server.port(), secret, deadlines);
  }

  static GrpcFixture serving(Provisioner provisioner) {
    return new GrpcFixture(provisioner, Deadlines.DEFAULT);
  }

  static GrpcFixture serving(Provisioner provisioner, Deadlines deadlines) {
    return new GrpcFixture(provisioner, deadlines);
  }

  /** A second client, e.g. with another secret; closed with the fixture. */
  GrpcProvisionerClient clientWithSecret(String otherSecret) {
    GrpcProvisionerClient other = GrpcProvisionerClient.connect(HOST, server.port(), otherSecret);
    extras.add(other);
    return other;
  }

  /** A stub that sends {@code token} as x-instant-provisioner-token, or no header when null. */
  ProvisionerServiceBlockingStub rawStub(String token) {
    ProvisionerServiceBlockingStub stub =
        ProvisionerServiceGrpc.newBlockingStub(rawChannel())
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    if (token == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(GrpcHeaders.TOKEN, token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** A health stub with no token at all, like a Kubernetes probe. */
  HealthGrpc.HealthBlockingStub rawHealth() {
    return HealthGrpc.newBlockingStub(rawChannel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private ManagedChannel rawChannel() {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(HOST, server.port(), InsecureChannelCredentials.create())
            .build();
    extras.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return channel;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable extra : extras) {
      extra.close();
    }
    client.close();
    server.close();
  }
}
