package dev.instanode.api.auth;

import java.math.BigInteger;
import java.net.InetAddress;

/** An address block such as {@code 10.0.0.0/8} or {@code fd00::/8}. */
public record Cidr(InetAddress network, int prefixLength) {
  public static Cidr parse(String text) {
    String[] parts = text.trim().split("/");
    InetAddress address = ClientAddress.parseLiteral(parts[0]);
    int bits = address.getAddress().length * 8;
    int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bits;
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix length out of range in " + text);
    }
    return new Cidr(address, prefix);
  }

  public boolean contains(InetAddress candidate) {
    byte[] a = network.getAddress();
    byte[] b = candidate.getAddress();
    if (a.length != b.length) {
      return false;
    }
    int shift = a.length * 8 - prefixLength;
    return new BigInteger(1, a).shiftRight(shift).equals(new BigInteger(1, b).shiftRight(shift));
  }
}
