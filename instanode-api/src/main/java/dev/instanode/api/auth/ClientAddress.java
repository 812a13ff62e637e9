package dev.instanode.api.auth;

import dev.instanode.core.Fingerprint;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The caller's address: the socket peer, or the first X-Forwarded-For hop when (and only when) the
 * peer is a configured trusted proxy. Anyone else could write any X-Forwarded-For.
 */
public final class ClientAddress {
  private final List<Cidr> trustedProxies;

  public ClientAddress(List<Cidr> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  public Fingerprint fingerprint(Context ctx) {
    return Fingerprint.of(address(ctx));
  }

  InetAddress address(Context ctx) {
    InetAddress peer = parse(ctx.req().getRemoteAddr());
    String forwarded = ctx.header("X-Forwarded-For");
    if (forwarded != null && trustedProxies.stream().anyMatch(c -> c.contains(peer))) {
      String first = forwarded.split(",")[0].trim();
      try {
        return parseLiteral(first);
      } catch (IllegalArgumentException e) {
        return peer;
      }
    }
    return peer;
  }

  private static InetAddress parse(String literal) {
    return parseLiteral(literal);
  }

  /** Only IP literals: never a DNS lookup on caller-supplied text. */
  static InetAddress parseLiteral(String literal) {
    if (literal == null || literal.isEmpty() || !literal.matches("[0-9A-Fa-f:.\\[\\]%a-z]+")) {
      throw new IllegalArgumentException("not an IP literal");
    }
    String bare = literal.replace("[", "").replace("]", "");
    if (!bare.contains(":") && !bare.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      throw new IllegalArgumentException("not an IP literal");
    }
    try {
      return InetAddress.getByName(bare);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal", e);
    }
  }
}
