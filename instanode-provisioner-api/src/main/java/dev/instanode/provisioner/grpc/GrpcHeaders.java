package dev.instanode.provisioner.grpc;

import io.grpc.Metadata;

/** The metadata keys both ends of the provisioner transport agree on. */
public final class GrpcHeaders {
  /** Carries the shared PROVISIONER_SECRET on every call. */
  public static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("x-instant-provisioner-token", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Trailer set to {@link #CIRCUIT_OPEN} when a breaker refused the call, so the client can tell a
   * backend that was never tried from one that could not be reached.
   */
  public static final Metadata.Key<String> CIRCUIT =
      Metadata.Key.of("x-instant-circuit", Metadata.ASCII_STRING_MARSHALLER);

  public static final String CIRCUIT_OPEN = "open";

  private GrpcHeaders() {}
}
