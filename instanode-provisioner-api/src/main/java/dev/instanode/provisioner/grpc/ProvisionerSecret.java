package dev.instanode.provisioner.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.instanode.core.crypto.Secrets;

/**
 * The shared secret both ends of the transport present. It refuses to exist when unset or weak: the
 * provisioner creates and drops customer databases, so running it unauthenticated is never a
 * fallback.
 */
public final class ProvisionerSecret {
  public static final String VARIABLE = "PROVISIONER_SECRET";
  public static final int MIN_BYTES = 32;

  private final String value;

  private ProvisionerSecret(String value) {
    this.value = value;
  }

  /**
   * @throws IllegalArgumentException naming {@value #VARIABLE} (never echoing it) when the secret
   *     is null, blank or shorter than {@value #MIN_BYTES} bytes
   */
  public static ProvisionerSecret of(String raw) {
    if (raw == null || raw.isBlank()) {
      throw new IllegalArgumentException(
          VARIABLE + " is not set: the provisioner gRPC transport refuses to run unauthenticated");
    }
    int bytes = raw.getBytes(UTF_8).length;
    if (bytes < MIN_BYTES) {
      throw new IllegalArgumentException(
          VARIABLE
              + " is too short ("
              + bytes
              + " bytes): at least "
              + MIN_BYTES
              + " are required, e.g. from `openssl rand -hex 32`");
    }
    return new ProvisionerSecret(raw);
  }

  /**
   * Constant time. The presented value goes first because {@code MessageDigest.isEqual} runs in
   * time proportional to its first argument, which the caller already knows.
   */
  public boolean matches(String presented) {
    return Secrets.constantTimeEquals(presented, value);
  }

  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return "ProvisionerSecret[***]";
  }
}
