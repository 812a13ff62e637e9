package dev.instanode.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressTest {
  private static final InetAddress PROXY = ip("10.0.0.5");
  private static final List<Cidr> PROXIES =
      List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));
  private static final ClientAddress BEHIND_PROXIES =
      new ClientAddress(PROXIES, ClientAddress.Header.X_FORWARDED_FOR);
  private static final ClientAddress BEHIND_RFC7239_PROXIES =
      new ClientAddress(PROXIES, ClientAddress.Header.FORWARDED);

  @Test
  void anUntrustedPeerIsTheClientWhateverItForwards() {
    InetAddress peer = ip("203.0.113.9");
    assertThat(BEHIND_PROXIES.resolve(peer, List.of("1.2.3.4"))).isEqualTo(peer);
  }

  @Test
  void theRightMostUntrustedHopIsTheClientNotTheFirstHopAClientCanWrite() {
    // The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the address it saw.
    assertThat(xff("1.2.3.4, 198.51.100.7")).isEqualTo(ip("198.51.100.7"));
    // Two proxies of ours in a row are skipped.
    assertThat(xff("1.2.3.4, 198.51.100.7, 10.1.1.1")).isEqualTo(ip("198.51.100.7"));
    // Hops spread over several header lines read as one list.
    assertThat(BEHIND_PROXIES.resolve(PROXY, List.of("1.2.3.4", "198.51.100.7, 10.1.1.1")))
        .isEqualTo(ip("198.51.100.7"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "198.51.100.7:1234 | 198.51.100.7",
        "[2001:db8::17]:4711 | 2001:db8::17",
        "[2001:db8::17] | 2001:db8::17",
        "2001:db8::17 | 2001:db8::17",
        "::ffff:198.51.100.7 | 198.51.100.7",
      })
  void everyAddressFormProxiesSendIsParsed(String hop, String expected) {
    assertThat(xff(hop)).isEqualTo(ip(expected));
  }

  @Test
  void rfc7239ForwardedIsParsedWithQuotesPortsAndBrackets() {
    assertThat(
            BEHIND_RFC7239_PROXIES.resolve(
                PROXY,
                List.of(
                    "for=1.2.3.4;proto=https, for=\"[2001:db8:cafe::17]:4711\";by=10.0.0.5",
                    "For=\"10.2.2.2:80\"")))
        .isEqualTo(ip("2001:db8:cafe::17"));
    assertThat(BEHIND_RFC7239_PROXIES.resolve(PROXY, List.of("for=198.51.100.7:1234")))
        .isEqualTo(ip("198.51.100.7"));
    // A quoted comma is text, not an element boundary.
    assertThat(BEHIND_RFC7239_PROXIES.resolve(PROXY, List.of("for=198.51.100.8;host=\"a,b\"")))
        .isEqualTo(ip("198.51.100.8"));
  }

  @Test
  void onlyTheConfiguredHeaderIsReadSoAClientCannotWriteTheOther() {
    // Behind an X-Forwarded-For proxy a Forwarded header is the client's own writing, and the
    // other way round; the resolver is only ever given the configured header's lines.
    ClientAddress xff = BEHIND_PROXIES;
    assertThat(xff.resolve(PROXY, List.of("198.51.100.7"))).isEqualTo(ip("198.51.100.7"));
    assertThat(ClientAddress.Header.parse("Forwarded")).isEqualTo(ClientAddress.Header.FORWARDED);
    assertThat(ClientAddress.Header.parse("x-forwarded-for"))
        .isEqualTo(ClientAddress.Header.X_FORWARDED_FOR);
    assertThatThrownBy(() -> ClientAddress.Header.parse("x-real-ip"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "garbage",
        "unknown",
        "1.2.3.4, not-an-ip",
        "198.51.100.7:port",
        "198.51.100.7:123456",
        "[2001:db8::17",
        "example.com",
        "10.1",
        "fe80::1%eth0",
        "1.2.3.4:80:90x",
      })
  void aChainWithNoUsableHopIsRefusedNeverTheProxysSharedAddress(String header) {
    assertThatThrownBy(() -> xff(header))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FORWARDED_FOR));
  }

  @ParameterizedTest
  @ValueSource(strings = {"for=unknown", "for=_hidden", "proto=https", "for=\"[::1\""})
  void forwardedNodesThatNameNoAddressAreRefused(String header) {
    assertThatThrownBy(() -> BEHIND_RFC7239_PROXIES.resolve(PROXY, List.of(header)))
        .isInstanceOf(ApiException.class);
  }

  @Test
  void anUnusableHopLeftOfTheClientDoesNotMatter() {
    assertThat(xff("garbage, 198.51.100.7")).isEqualTo(ip("198.51.100.7"));
  }

  @Test
  void aChainOfOnlyTrustedProxiesIsTheirOwnCallFromTheLeftMost() {
    assertThat(xff("10.9.9.9, 10.1.1.1")).isEqualTo(ip("10.9.9.9"));
  }

  @Test
  void aTrustedPeerWithoutAnyForwardingHeaderIsItself() {
    assertThat(BEHIND_PROXIES.resolve(PROXY, List.of())).isEqualTo(PROXY);
  }

  @Test
  void literalsNeverResolveNames() {
    assertThat(ForwardedHops.literal("localhost")).isEqualTo(Optional.empty());
    assertThat(ForwardedHops.node("example.com:80")).isEqualTo(Optional.empty());
  }

  @Test
  void aLinkLocalPeerWithAZoneIsStillAnAddress() {
    assertThat(ForwardedHops.peer("fe80::1%eth0")).contains(ip("fe80::1"));
    assertThat(ForwardedHops.peer("[fe80::1%2]")).contains(ip("fe80::1"));
    assertThat(ForwardedHops.peer("203.0.113.9")).contains(ip("203.0.113.9"));
  }

  private static InetAddress xff(String header) {
    return BEHIND_PROXIES.resolve(PROXY, List.of(header));
  }

  private static InetAddress ip(String literal) {
    return ClientAddress.parseLiteral(literal);
  }
}
