package dev.instanode.provisioner.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.Secrets;
import dev.instanode.provisioner.DeprovisionRequest;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.ProvisionerException.Kind;
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.grpc.proto.ProvisionResourceRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GrpcErrorMappingTest {
  private static final ResourceToken TOKEN = ResourceToken.random();
  private static final Map<String, Consumer<Provisioner>> RPCS =
      Map.of(
          "ClaimPooledResource",
          p ->
              p.claimPooled(
                  new ProvisionRequest(
                      TOKEN, ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random())),
          "ProvisionResource",
          p ->
              p.provision(
                  new ProvisionRequest(
                      TOKEN, ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random())),
          "DeprovisionResource",
          p ->
              p.deprovision(
                  new DeprovisionRequest(
                      TOKEN,
                      ResourceType.POSTGRES,
                      ProviderResourceId.parse("local:0"),
                      "expired",
                      RequestId.random())),
          "RegradeResource",
          p ->
              p.regrade(
                  new RegradeRequest(
                      TOKEN,
                      ResourceType.POSTGRES,
                      Tier.PRO,
                      ProviderResourceId.parse("local:0"),
                      RequestId.random())),
          "GetStorageBytes",
          p ->
              p.storageBytes(
                  new StorageRequest(
                      TOKEN,
                      ResourceType.POSTGRES,
                      ProviderResourceId.parse("local:0"),
                      RequestId.random())),
          "RotateCredentials",
          p ->
              p.rotateCredentials(
                  new RotateRequest(
                      TOKEN,
                      ResourceType.POSTGRES,
                      ProviderResourceId.parse("local:0"),
                      RequestId.random())));

  private final FakeProvisioner provisioner = new FakeProvisioner();
  private GrpcFixture grpc;

  @BeforeEach
  void start() {
    grpc = GrpcFixture.serving(provisioner);
  }

  @AfterEach
  void stop() throws Exception {
    grpc.close();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyKindSurvivesTheRoundTripOnEveryRpc(Kind kind) {
    provisioner.failWith(kind, "backend said no");
    RPCS.forEach((rpc, call) ->
        assertThatThrownBy(() -> call.accept(grpc.client))
            .as(rpc)
            .isInstanceOfSatisfying(
                ProvisionerException.class,
                e -> {
                  assertThat(e.kind()).isEqualTo(kind);
                  assertThat(e.getMessage()).contains(rpc).contains("backend said no");
                }));
    assertThat(provisioner.calls()).hasSize(RPCS.size());
  }

  @Test
  void anOpenCircuitIsSentAsUnavailableWithTheCircuitTrailer() {
    provisioner.failWith(Kind.CIRCUIT_OPEN, "postgres_admin breaker open");
    assertThatThrownBy(() -> grpc.rawStub(grpc.secret).provisionResource(validRequest()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getTrailers().get(GrpcHeaders.CIRCUIT)).isEqualTo("open");
            });
  }

  @Test
  void anUnreachableBackendIsSentAsUnavailableWithoutTheCircuitTrailer() {
    provisioner.failWith(Kind.UNAVAILABLE, "connection refused");
    assertThatThrownBy(() -> grpc.rawStub(grpc.secret).provisionResource(validRequest()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getTrailers().get(GrpcHeaders.CIRCUIT)).isNull();
            });
  }

  @Test
  void credentialsInAFailureMessageNeverCrossTheWire() {
    provisioner.failWith(
        Kind.UNAVAILABLE, "cannot reach postgres://admin:hunter2@10.0.0.5:5432/postgres");
    assertThatThrownBy(() -> RPCS.get("ProvisionResource").accept(grpc.client))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> {
              assertThat(e.getMessage()).contains("10.0.0.5:5432").doesNotContain("hunter2");
              assertThat(e.getCause()).hasMessageNotContaining("hunter2");
            });
  }

  @Test
  void anUnclassifiedExceptionIsAGenericInternalWithoutItsMessage() {
    provisioner.failWith(new IllegalStateException("boom at postgres://a:s3cret@h:5432/db"));
    assertThatThrownBy(() -> RPCS.get("RegradeResource").accept(grpc.client))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.INTERNAL);
              assertThat(e.getMessage())
                  .contains("unexpected provisioner error")
                  .doesNotContain("boom")
                  .doesNotContain("s3cret");
            });
  }

  @Test
  void anExpiredDeadlineIsUnavailable() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    provisioner.holdCallsUntil(gate);
    Duration short_ = Duration.ofMillis(300);
    try (GrpcFixture impatient =
        GrpcFixture.serving(provisioner, new Deadlines(short_, short_, short_))) {
      assertThatThrownBy(() -> RPCS.get("ProvisionResource").accept(impatient.client))
          .isInstanceOfSatisfying(
              ProvisionerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
                assertThat(e.getMessage()).contains("DEADLINE_EXCEEDED");
              });
    } finally {
      gate.countDown();
    }
  }

  @Test
  void anUnreachableProvisionerIsUnavailable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (GrpcProvisionerClient client =
        GrpcProvisionerClient.connect(GrpcFixture.HOST, closedPort, Secrets.hex(32))) {
      assertThatThrownBy(() -> RPCS.get("GetStorageBytes").accept(client))
          .isInstanceOfSatisfying(
              ProvisionerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
      assertThat(client.healthy()).isFalse();
    }
  }

  private static ProvisionResourceRequest validRequest() {
    return ProvisionResourceRequest.newBuilder()
        .setToken(TOKEN.toString())
        .setResourceType(dev.instanode.provisioner.grpc.proto.ResourceType.POSTGRES)
        .setTier("anonymous")
        .build();
  }
}
