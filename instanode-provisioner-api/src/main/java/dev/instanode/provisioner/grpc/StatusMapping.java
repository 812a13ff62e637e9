package dev.instanode.provisioner.grpc;

import dev.instanode.core.Masking;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.ProvisionerException.Kind;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Objects;

/**
 * The one table between {@link Kind} and gRPC status codes. The server encodes with it and the
 * client decodes with the same table, so a kind cannot change meaning on the way across.
 */
public final class StatusMapping {
  private StatusMapping() {}

  /** Exhaustive on purpose: a new Kind does not compile until it has a status. */
  public static Status.Code code(Kind kind) {
    return switch (kind) {
      case UNAVAILABLE, CIRCUIT_OPEN -> Status.Code.UNAVAILABLE;
      case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
      case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
      case REFUSED -> Status.Code.FAILED_PRECONDITION;
      case INTERNAL -> Status.Code.INTERNAL;
    };
  }

  /** Server side. The description is scrubbed: backend messages can quote connection URLs. */
  public static StatusRuntimeException toStatus(ProvisionerException e) {
    Metadata trailers = new Metadata();
    if (e.kind() == Kind.CIRCUIT_OPEN) {
      trailers.put(GrpcHeaders.CIRCUIT, GrpcHeaders.CIRCUIT_OPEN);
    }
    return Status.fromCode(code(e.kind()))
        .withDescription(Masking.scrubUrls(e.getMessage()))
        .asRuntimeException(trailers);
  }

  /** Client side: the inverse of {@link #code}, plus the codes gRPC itself produces. */
  public static Kind kind(Status.Code code, Metadata trailers) {
    if (code == Status.Code.UNAVAILABLE
        && GrpcHeaders.CIRCUIT_OPEN.equals(trailers.get(GrpcHeaders.CIRCUIT))) {
      return Kind.CIRCUIT_OPEN;
    }
    // Our own deadline fired: to the caller that is a backend that did not answer, and retryable.
    if (code == Status.Code.DEADLINE_EXCEEDED) {
      return Kind.UNAVAILABLE;
    }
    for (Kind kind : Kind.values()) {
      if (kind != Kind.CIRCUIT_OPEN && code(kind) == code) {
        return kind;
      }
    }
    // UNAUTHENTICATED lands here: a wrong secret is a deployment bug, not something to retry.
    return Kind.INTERNAL;
  }

  /** Client side: the exception a remote failure becomes. */
  public static ProvisionerException toException(String rpc, StatusRuntimeException e) {
    Status status = e.getStatus();
    Metadata trailers = Objects.requireNonNullElseGet(e.getTrailers(), Metadata::new);
    String detail = Masking.scrubUrls(Objects.requireNonNullElse(status.getDescription(), ""));
    String message =
        status.getCode() == Status.Code.UNAUTHENTICATED
            ? "provisioner rejected "
                + rpc
                + ": "
                + detail
                + " (PROVISIONER_SECRET must be the same on the caller and the provisioner)"
            : "provisioner "
                + rpc
                + " failed: "
                + status.getCode()
                + (detail.isEmpty() ? "" : ": " + detail);
    return new ProvisionerException(kind(status.getCode(), trailers), message, e);
  }
}
