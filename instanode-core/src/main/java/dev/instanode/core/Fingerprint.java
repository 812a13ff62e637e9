package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Who an anonymous caller is, without storing who they are: SHA-256 of the caller's /24 (IPv4) or
 * /48 (IPv6) network. Callers behind one NAT share a fingerprint, which is the point.
 */
public record Fingerprint(String value) {
  public Fingerprint {
    requireNonNull(value, "value is null");
  }

  public static Fingerprint of(InetAddress address) {
    byte[] raw = address.getAddress();
    int keep = address instanceof Inet4Address ? 3 : 6;
    byte[] network = Arrays.copyOf(raw, raw.length);
    Arrays.fill(network, keep, network.length, (byte) 0);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(network);
      sha.update(("/" + keep * 8).getBytes(StandardCharsets.US_ASCII));
      return new Fingerprint(HexFormat.of().formatHex(sha.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  @Override
  public String toString() {
    return Masking.token(value);
  }
}
