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
import dev.instanode.provisioner.RegradeRequest;
import dev.instanode.provisioner.RotateRequest;
import dev.instanode.provisioner.StorageRequest;
import dev.instanode.provisioner.grpc.proto.ProvisionResourceRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GrpcAuthTest {
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

  @Test
  void admitsACallWithTheSharedSecret() {
    grpc.client.provision(provisionRequest());
    assertThat(provisioner.calls()).hasSize(1);
  }

  @Test
  void rejectsACallWithTheWrongToken() {
    assertThatThrownBy(() -> grpc.rawStub(Secrets.hex(32)).provisionResource(validRequest()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).isEqualTo("invalid provisioner token");
            });
    assertThat(provisioner.calls()).isEmpty();
  }

  @Test
  void rejectsACallWithoutTheTokenHeader() {
    assertThatThrownBy(() -> grpc.rawStub(null).provisionResource(validRequest()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).isEqualTo("missing metadata");
            });
    assertThat(provisioner.calls()).isEmpty();
  }

  @Test
  void rejectsAnEmptyToken() {
    assertThatThrownBy(() -> grpc.rawStub("").provisionResource(validRequest()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThat(provisioner.calls()).isEmpty();
  }

  @Test
  void aClientWithAnotherSecretIsRefusedOnEveryRpc() {
    Provisioner intruder = grpc.clientWithSecret(Secrets.hex(32));
    ResourceToken token = ResourceToken.random();
    List<Consumer<Provisioner>> rpcs =
        List.of(
            p -> p.claimPooled(provisionRequest()),
            p -> p.provision(provisionRequest()),
            p ->
                p.deprovision(
                    new DeprovisionRequest(
                        token,
                        ResourceType.POSTGRES,
                        ProviderResourceId.parse("local:0"),
                        "test",
                        RequestId.random())),
            p ->
                p.regrade(
                    new RegradeRequest(
                        token,
                        ResourceType.POSTGRES,
                        Tier.PRO,
                        ProviderResourceId.parse("local:0"),
                        RequestId.random())),
            p ->
                p.storageBytes(
                    new StorageRequest(
                        token,
                        ResourceType.POSTGRES,
                        ProviderResourceId.parse("local:0"),
                        RequestId.random())),
            p ->
                p.rotateCredentials(
                    new RotateRequest(
                        token,
                        ResourceType.POSTGRES,
                        ProviderResourceId.parse("local:0"),
                        RequestId.random())));
    for (Consumer<Provisioner> rpc : rpcs) {
      assertThatThrownBy(() -> rpc.accept(intruder))
          .isInstanceOfSatisfying(
              ProvisionerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INTERNAL);
                assertThat(e.getMessage())
                    .contains("invalid provisioner token")
                    .contains("PROVISIONER_SECRET");
              });
    }
    assertThat(provisioner.calls()).isEmpty();
  }

  @Test
  void theHealthServiceAnswersWithoutAToken() {
    assertThat(grpc.rawHealth().check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  private static ProvisionRequest provisionRequest() {
    return new ProvisionRequest(
        ResourceToken.random(), ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random());
  }

  private static ProvisionResourceRequest validRequest() {
    return ProvisionResourceRequest.newBuilder()
        .setToken(ResourceToken.random().toString())
        .setResourceType(dev.instanode.provisioner.grpc.proto.ResourceType.POSTGRES)
        .setTier("anonymous")
        .setRequestId("req-1")
        .build();
  }
}
