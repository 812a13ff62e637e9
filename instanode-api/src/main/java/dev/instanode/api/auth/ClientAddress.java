package dev.instanode.api.auth;

import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The caller's address: the socket peer, unless the peer is a configured trusted proxy. Then it is
 * the right-most hop of {@code Forwarded} (RFC 7239, preferred when present) or {@code
 * X-Forwarded-For} that is not itself a trusted proxy.
 *
 * <p>Right-most, not first: a proxy appends what it saw to whatever the client sent, so every hop
 * left of the nearest untrusted one is the client's own writing. A chain with no usable hop is
 * refused (400 {@code invalid_forwarded_for}); falling back to the proxy's address would put every
 * client behind it into one identity.
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
    InetAddress peer =
        ForwardedHops.literal(ctx.req().getRemoteAddr())
            .orElseThrow(() -> new IllegalStateException("the socket peer is not an IP literal"));
    return resolve(peer, headerLines(ctx, "Forwarded"), headerLines(ctx, "X-Forwarded-For"));
  }

  /**
   * @param forwarded every {@code Forwarded} header line, in order
   * @param xForwardedFor every {@code X-Forwarded-For} header line, in order
   */
  InetAddress resolve(InetAddress peer, List<String> forwarded, List<String> xForwardedFor) {
    if (!trusted(peer)) {
      return peer;
    }
    List<Optional<InetAddress>> hops;
    if (!forwarded.isEmpty()) {
      hops = ForwardedHops.fromForwarded(forwarded);
    } else if (!xForwardedFor.isEmpty()) {
      hops = ForwardedHops.fromXForwardedFor(xForwardedFor);
    } else {
      // The proxy itself is calling (a health check, an internal job): it is the client.
      return peer;
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = hops.get(i).orElseThrow(ClientAddress::unusable);
      if (!trusted(hop)) {
        return hop;
      }
      if (i == 0) {
        // Every hop is one of ours: the left-most proxy made the request.
        return hop;
      }
    }
    throw unusable();
  }

  private boolean trusted(InetAddress address) {
    return trustedProxies.stream().anyMatch(c -> c.contains(address));
  }

  private static List<String> headerLines(Context ctx, String name) {
    var lines = ctx.req().getHeaders(name);
    return lines == null ? List.of() : Collections.list(lines);
  }

  private static ApiException unusable() {
    return new ApiException(
        ErrorCode.INVALID_FORWARDED_FOR,
        "The proxy in front of instanode forwarded no usable client address.");
  }

  /** Only IP literals: never a DNS lookup on configuration text. */
  static InetAddress parseLiteral(String literal) {
    return ForwardedHops.literal(literal)
        .orElseThrow(() -> new IllegalArgumentException("not an IP literal: " + literal));
  }
}
