package dev.instanode.api.auth;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The hops a chain of proxies recorded, left (first) to right (nearest), read from RFC 7239 {@code
 * Forwarded} or from {@code X-Forwarded-For}. A hop is empty when it names no usable address:
 * {@code unknown}, an obfuscated node ({@code _hidden}), a {@code Forwarded} element without {@code
 * for=}, or text that is not an IP literal.
 *
 * <p>Each hop may be {@code ip}, {@code ip:port}, {@code [ipv6]} or {@code [ipv6]:port}; a bare
 * IPv6 literal is accepted too, as many proxies write it. Nothing here ever resolves a name.
 */
final class ForwardedHops {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");

  private ForwardedHops() {}

  /** The hops of every {@code X-Forwarded-For} header line, in order. */
  static List<Optional<InetAddress>> fromXForwardedFor(List<String> headerLines) {
    List<Optional<InetAddress>> hops = new ArrayList<>();
    for (String line : headerLines) {
      for (String part : line.split(",", -1)) {
        hops.add(node(part.trim()));
      }
    }
    return hops;
  }

  /** The {@code for=} node of every element of every {@code Forwarded} header line, in order. */
  static List<Optional<InetAddress>> fromForwarded(List<String> headerLines) {
    List<Optional<InetAddress>> hops = new ArrayList<>();
    for (String line : headerLines) {
      for (List<String[]> element : elements(line)) {
        Optional<InetAddress> hop = Optional.empty();
        for (String[] pair : element) {
          if (pair[0].equalsIgnoreCase("for")) {
            hop = node(pair[1]);
          }
        }
        hops.add(hop);
      }
    }
    return hops;
  }

  /**
   * Splits a {@code Forwarded} value into elements (by {@code ,}) of {@code name=value} pairs (by
   * {@code ;}), honouring quoted strings, in which {@code ,} and {@code ;} are plain text.
   */
  private static List<List<String[]>> elements(String line) {
    List<List<String[]>> elements = new ArrayList<>();
    List<String[]> pairs = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '\\' && i + 1 < line.length()) {
          current.append(line.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        } else {
          current.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ';' || c == ',') {
        addPair(pairs, current);
        current.setLength(0);
        if (c == ',') {
          elements.add(pairs);
          pairs = new ArrayList<>();
        }
      } else {
        current.append(c);
      }
    }
    addPair(pairs, current);
    elements.add(pairs);
    return elements;
  }

  private static void addPair(List<String[]> pairs, CharSequence text) {
    String pair = text.toString().trim();
    int eq = pair.indexOf('=');
    if (eq > 0) {
      pairs.add(new String[] {pair.substring(0, eq).trim(), pair.substring(eq + 1).trim()});
    }
  }

  /** One node: an address with or without a port, or empty when it is not one. */
  static Optional<InetAddress> node(String text) {
    String host = text;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        return Optional.empty();
      }
      String rest = host.substring(close + 1);
      if (!rest.isEmpty() && !(rest.startsWith(":") && PORT.matcher(rest.substring(1)).matches())) {
        return Optional.empty();
      }
      return ipv6(host.substring(1, close));
    }
    int colon = host.indexOf(':');
    if (colon >= 0 && colon == host.lastIndexOf(':')) {
      // One colon: ipv4:port. Two or more: a bare IPv6 literal.
      if (!PORT.matcher(host.substring(colon + 1)).matches()) {
        return Optional.empty();
      }
      host = host.substring(0, colon);
    } else if (colon >= 0) {
      return ipv6(host);
    }
    return ipv4(host);
  }

  /** An IPv4 literal in dotted-quad form only (no {@code 10.1} or octal shorthands). */
  static Optional<InetAddress> ipv4(String text) {
    if (!IPV4.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Inet4Address.ofLiteral(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<InetAddress> ipv6(String text) {
    // No zone ids (fe80::1%eth0): they name an interface of the proxy, not a client.
    if (!IPV6.matcher(text).matches() || !text.contains(":")) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.ofLiteral(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The socket peer's address. A link-local IPv6 peer comes with its zone ({@code fe80::1%eth0}),
   * which names an interface of this host and is dropped.
   */
  static Optional<InetAddress> peer(String text) {
    int zone = text.indexOf('%');
    return literal(zone < 0 ? text : text.substring(0, zone) + (text.endsWith("]") ? "]" : ""));
  }

  /** An address as the socket or an operator writes it: {@code ip} or a bare IPv6 literal. */
  static Optional<InetAddress> literal(String text) {
    return text.contains(":") ? ipv6(text.replace("[", "").replace("]", "")) : ipv4(text);
  }
}
