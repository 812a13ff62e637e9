package dev.instanode.provisioner.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.ResourceToken;
import dev.instanode.provisioner.grpc.proto.BindingRequest;
import dev.instanode.provisioner.grpc.proto.DeprovisionResourceRequest;
import dev.instanode.provisioner.grpc.proto.GetStorageBytesRequest;
import dev.instanode.provisioner.grpc.proto.ProvisionResourceRequest;
import dev.instanode.provisioner.grpc.proto.ProvisionerServiceGrpc.ProvisionerServiceBlockingStub;
import dev.instanode.provisioner.grpc.proto.RegradeResourceRequest;
import dev.instanode.provisioner.grpc.proto.ResourceType;
import dev.instanode.provisioner.grpc.proto.RotateCredentialsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed requests are INVALID_ARGUMENT and never reach the Provisioner. */
class GrpcValidationTest {
  private static final String TOKEN = ResourceToken.random().toString();

  private final FakeProvisioner provisioner = new FakeProvisioner();
  private GrpcFixture grpc;
  private ProvisionerServiceBlockingStub stub;

  @BeforeEach
  void start() {
    grpc = GrpcFixture.serving(provisioner);
    stub = grpc.rawStub(grpc.secret);
  }

  @AfterEach
  void stop() throws Exception {
    grpc.close();
  }

  @Test
  void everyRpcRequiresAToken() {
    Map<String, Consumer<String>> rpcs =
        Map.of(
            "claim pooled",
            t -> stub.claimPooledResource(provision().setToken(t).build()),
            "provision",
            t -> stub.provisionResource(provision().setToken(t).build()),
            "deprovision",
            t -> stub.deprovisionResource(deprovision().setToken(t).build()),
            "storage",
            t -> stub.getStorageBytes(storage().setToken(t).build()),
            "regrade",
            t -> stub.regradeResource(regrade().setToken(t).build()),
            "rotate",
            t -> stub.rotateCredentials(rotate().setToken(t).build()));
    rpcs.forEach((name, rpc) -> assertInvalid(name, () -> rpc.accept(""), "token is required"));
    assertThat(provisioner.calls()).isEmpty();
  }

  @Test
  void aTokenThatIsNotAResourceTokenIsInvalid() {
    assertInvalid(
        () -> stub.provisionResource(provision().setToken("not-a-uuid").build()),
        "token is not a resource token");
  }

  @Test
  void anUnspecifiedResourceTypeIsInvalid() {
    assertInvalid(
        () ->
            stub.regradeResource(
                regrade().setResourceType(ResourceType.RESOURCE_TYPE_UNSPECIFIED).build()),
        "resource_type is unspecified");
  }

  @ParameterizedTest
  @EnumSource(
      value = ResourceType.class,
      names = {"MONGODB"})
  void typesThisPlatformDoesNotRunAreUnknown(ResourceType type) {
    assertInvalid(
        () -> stub.provisionResource(provision().setResourceType(type).build()),
        "unknown resource_type");
  }

  @Test
  void aResourceTypeNumberOutsideTheEnumIsUnknown() {
    assertInvalid(
        () -> stub.getStorageBytes(storage().setResourceTypeValue(42).build()),
        "unknown resource_type");
  }

  @ParameterizedTest
  @ValueSource(strings = {"platinum", "pro-ish", "hobby_monthly"})
  void anUnknownTierIsInvalid(String tier) {
    assertInvalid(() -> stub.provisionResource(provision().setTier(tier).build()), "unknown tier");
    assertInvalid(() -> stub.regradeResource(regrade().setTier(tier).build()), "unknown tier");
  }

  @Test
  void aMissingTierIsInvalid() {
    assertInvalid(
        () -> stub.provisionResource(provision().setTier("").build()), "tier is required");
  }

  @Test
  void aRotationOfAnUnspecifiedOrUnknownTypeIsInvalid() {
    assertInvalid(
        () ->
            stub.rotateCredentials(
                rotate().setResourceType(ResourceType.RESOURCE_TYPE_UNSPECIFIED).build()),
        "resource_type is unspecified");
    assertInvalid(
        () -> stub.rotateCredentials(rotate().setResourceType(ResourceType.MONGODB).build()),
        "unknown resource_type");
  }

  @Test
  void aRotationWithATokenThatIsNotAResourceTokenIsInvalid() {
    assertInvalid(
        () -> stub.rotateCredentials(rotate().setToken("pool-abc").build()),
        "token is not a resource token");
  }

  @Test
  void aDropWithoutAReasonIsInvalid() {
    assertInvalid(
        () -> stub.deprovisionResource(deprovision().setReason(" ").build()), "reason is required");
  }

  @Test
  void aValidRequestReachesTheProvisioner() {
    stub.provisionResource(provision().build());
    stub.deprovisionResource(deprovision().build());
    stub.getStorageBytes(storage().build());
    stub.regradeResource(regrade().build());
    stub.rotateCredentials(rotate().build());
    assertThat(provisioner.calls()).hasSize(5);
  }

  @Test
  void aBindingKeyMustBeSixteenLowercaseHex() {
    for (String bad : List.of("", "00112233445566FF", "0011", "../etc/passwd")) {
      assertInvalid(
          bad,
          () -> stub.createBinding(binding().setBindingKey(bad).build()),
          "binding_key is not 16 lowercase hex characters");
      assertInvalid(
          bad,
          () -> stub.dropBinding(binding().setBindingKey(bad).build()),
          "binding_key is not 16 lowercase hex characters");
    }
  }

  private static BindingRequest.Builder binding() {
    return BindingRequest.newBuilder()
        .setToken(TOKEN)
        .setResourceType(ResourceType.POSTGRES)
        .setProviderResourceId("local:0")
        .setBindingKey("00112233445566ff")
        .setRequestId("req-1");
  }

  private void assertInvalid(ThrowingCallable call, String description) {
    assertInvalid(description, call, description);
  }

  private void assertInvalid(String what, ThrowingCallable call, String description) {
    assertThatThrownBy(call)
        .as(what)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).isEqualTo(description);
            });
    assertThat(provisioner.calls()).as("calls that reached the provisioner").isEmpty();
  }

  private static ProvisionResourceRequest.Builder provision() {
    return ProvisionResourceRequest.newBuilder()
        .setToken(TOKEN)
        .setResourceType(ResourceType.POSTGRES)
        .setTier("hobby")
        .setRequestId("req-1");
  }

  private static DeprovisionResourceRequest.Builder deprovision() {
    return DeprovisionResourceRequest.newBuilder()
        .setToken(TOKEN)
        .setResourceType(ResourceType.POSTGRES)
        .setProviderResourceId("local:0")
        .setReason("user_delete")
        .setRequestId("req-1");
  }

  private static GetStorageBytesRequest.Builder storage() {
    return GetStorageBytesRequest.newBuilder()
        .setToken(TOKEN)
        .setResourceType(ResourceType.POSTGRES)
        .setProviderResourceId("local:0")
        .setRequestId("req-1");
  }

  private static RotateCredentialsRequest.Builder rotate() {
    return RotateCredentialsRequest.newBuilder()
        .setToken(TOKEN)
        .setResourceType(ResourceType.POSTGRES)
        .setProviderResourceId("local:0")
        .setRequestId("req-1");
  }

  private static RegradeResourceRequest.Builder regrade() {
    return RegradeResourceRequest.newBuilder()
        .setToken(TOKEN)
        .setResourceType(ResourceType.REDIS)
        .setTier("pro")
        .setProviderResourceId("local:0")
        .setRequestId("req-1");
  }
}
