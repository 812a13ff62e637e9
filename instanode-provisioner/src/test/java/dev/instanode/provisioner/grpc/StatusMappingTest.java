package dev.instanode.provisioner.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.ProvisionerException.Kind;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StatusMappingTest {
  /** The contract with callers of the original system; written out so a change is deliberate. */
  private static final Map<Kind, Status.Code> AGREED =
      new EnumMap<>(
          Map.of(
              Kind.UNAVAILABLE, Status.Code.UNAVAILABLE,
              Kind.CIRCUIT_OPEN, Status.Code.UNAVAILABLE,
              Kind.ALREADY_EXISTS, Status.Code.ALREADY_EXISTS,
              Kind.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT,
              Kind.REFUSED, Status.Code.FAILED_PRECONDITION,
              Kind.INTERNAL, Status.Code.INTERNAL));

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyKindHasTheAgreedStatusCode(Kind kind) {
    assertThat(AGREED).as("agreed code for " + kind).containsKey(kind);
    StatusRuntimeException sent = StatusMapping.toStatus(new ProvisionerException(kind, "m", null));
    assertThat(sent.getStatus().getCode()).isEqualTo(AGREED.get(kind));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyKindIsDecodedBackToItself(Kind kind) {
    StatusRuntimeException sent = StatusMapping.toStatus(new ProvisionerException(kind, "m", null));
    assertThat(StatusMapping.kind(sent.getStatus().getCode(), sent.getTrailers())).isEqualTo(kind);
    assertThat(StatusMapping.toException("ProvisionResource", sent).kind()).isEqualTo(kind);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void onlyAnOpenCircuitCarriesTheCircuitTrailer(Kind kind) {
    StatusRuntimeException sent = StatusMapping.toStatus(new ProvisionerException(kind, "m", null));
    assertThat(sent.getTrailers().get(GrpcHeaders.CIRCUIT))
        .isEqualTo(kind == Kind.CIRCUIT_OPEN ? "open" : null);
  }

  @ParameterizedTest
  @EnumSource(Status.Code.class)
  void everyStatusCodeDecodesToAKind(Status.Code code) {
    Kind expected =
        switch (code) {
          case UNAVAILABLE, DEADLINE_EXCEEDED -> Kind.UNAVAILABLE;
          case ALREADY_EXISTS -> Kind.ALREADY_EXISTS;
          case INVALID_ARGUMENT -> Kind.INVALID_ARGUMENT;
          case FAILED_PRECONDITION -> Kind.REFUSED;
          default -> Kind.INTERNAL;
        };
    assertThat(StatusMapping.kind(code, new Metadata())).isEqualTo(expected);
  }

  @Test
  void theCircuitTrailerOnlyCountsOnUnavailable() {
    Metadata trailers = new Metadata();
    trailers.put(GrpcHeaders.CIRCUIT, "open");
    assertThat(StatusMapping.kind(Status.Code.INTERNAL, trailers)).isEqualTo(Kind.INTERNAL);
    Metadata closed = new Metadata();
    closed.put(GrpcHeaders.CIRCUIT, "closed");
    assertThat(StatusMapping.kind(Status.Code.UNAVAILABLE, closed)).isEqualTo(Kind.UNAVAILABLE);
  }

  @Test
  void descriptionsAreScrubbedOfUrlCredentials() {
    StatusRuntimeException sent =
        StatusMapping.toStatus(
            new ProvisionerException(
                Kind.UNAVAILABLE, "cannot reach postgres://admin:hunter2@10.0.0.5:5432/x", null));
    assertThat(sent.getStatus().getDescription())
        .doesNotContain("hunter2")
        .doesNotContain("admin:")
        .contains("10.0.0.5:5432");
  }

  @Test
  void aRejectedSecretIsInternalAndSaysWhatToCheck() {
    ProvisionerException e =
        StatusMapping.toException(
            "RegradeResource",
            Status.UNAUTHENTICATED
                .withDescription("invalid provisioner token")
                .asRuntimeException());
    assertThat(e.kind()).isEqualTo(Kind.INTERNAL);
    assertThat(e.getMessage())
        .contains("RegradeResource")
        .contains("invalid provisioner token")
        .contains("PROVISIONER_SECRET");
  }

  @Test
  void theClientMessageNamesTheRpcCodeAndDescription() {
    ProvisionerException e =
        StatusMapping.toException(
            "GetStorageBytes",
            Status.FAILED_PRECONDITION.withDescription("drop refused").asRuntimeException());
    assertThat(e.getMessage())
        .isEqualTo("provisioner GetStorageBytes failed: FAILED_PRECONDITION: drop refused");
  }
}
