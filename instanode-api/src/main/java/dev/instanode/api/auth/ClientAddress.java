package dev.instanode.api.auth;

import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Fingerprint;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The caller's address: the socket peer, unless the peer is a configured trusted proxy. Then it is
 * the right-most hop, in the one header the proxies are configured to append to ({@code
 * X-Forwarded-For}, or RFC 7239 {@code Forwarded}), that is not itself a trusted proxy. The other
 * header is never read: behind a proxy that appends only to one, the client writes the other whole.
 *
 * <p>Right-most, not first: a proxy appends what it saw to whatever the client sent, so every hop
 * left of the nearest untrusted one is the client's own writing. A chain with no usable hop is
 * refused (400 {@code invalid_forwarded_for}); falling back to the proxy's address would put every
 * client behind it into one identity.
 */
public final class ClientAddress {
  /** Where the trusted proxies record the hops. */
  public enum Header {
    X_FORWARDED_FOR("X-Forwarded-For"),
    FORWARDED("Forwarded");

    private final String name;

    Header(String name) {
      this.name = name;
    }

    /** {@code x-forwarded-for} or {@code forwarded}, in any case. */
    public static Header parse(String raw) {
      for (Header h : values()) {
        if (h.name.equalsIgnoreCase(raw.trim())) {
          return h;
        }
      }
      throw new IllegalArgumentException("must be x-forwarded-for or forwarded");
    }

    List<Optional<InetAddress>> hops(List<String> lines) {
      return this == FORWARDED
          ? ForwardedHops.fromForwarded(lines)
          : ForwardedHops.fromXForwardedFor(lines);
    }
  }

  private final List<Cidr> trustedProxies;
  private final Header header;

  public ClientAddress(List<Cidr> trustedProxies, Header header) {
    this.trustedProxies = List.copyOf(trustedProxies);
    this.header = header;
  }

  public Fingerprint fingerprint(Context ctx) {
    return fingerprint(ctx.req());
  }

  /** For a servlet that is not a Javalin route (the MCP endpoint). */
  public Fingerprint fingerprint(HttpServletRequest req) {
    return Fingerprint.of(address(req));
  }

  /** The client's address, as the trusted proxies forwarded it. */
  public InetAddress address(Context ctx) {
    return address(ctx.req());
  }

  private InetAddress address(HttpServletRequest req) {
    InetAddress peer =
        ForwardedHops.peer(req.getRemoteAddr())
            .orElseThrow(() -> new IllegalStateException("the socket peer is not an IP literal"));
    return resolve(peer, headerLines(req, header.name));
  }

  /**
   * @param lines every line of the configured header, in order
   */
  InetAddress resolve(InetAddress peer, List<String> lines) {
    if (!trusted(peer)) {
      return peer;
    }
    if (lines.isEmpty()) {
      // The proxy itself is calling (a health check, an internal job): it is the client.
      return peer;
    }
    List<Optional<InetAddress>> hops = header.hops(lines);
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

  private static List<String> headerLines(HttpServletRequest req, String name) {
    var lines = req.getHeaders(name);
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
