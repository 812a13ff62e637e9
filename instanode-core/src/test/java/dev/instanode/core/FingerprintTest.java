package dev.instanode.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class FingerprintTest {
  @Test
  void sameIpv4SlashTwentyFourSharesAFingerprint() throws UnknownHostException {
    assertThat(fp("203.0.113.7")).isEqualTo(fp("203.0.113.250"));
    assertThat(fp("203.0.113.7")).isNotEqualTo(fp("203.0.114.7"));
  }

  @Test
  void sameIpv6SlashFortyEightSharesAFingerprint() throws UnknownHostException {
    assertThat(fp("2001:db8:abcd:1::1")).isEqualTo(fp("2001:db8:abcd:ffff::2"));
    assertThat(fp("2001:db8:abcd:1::1")).isNotEqualTo(fp("2001:db8:abce:1::1"));
  }

  @Test
  void neverContainsTheAddress() throws UnknownHostException {
    assertThat(fp("203.0.113.7").value()).hasSize(64).doesNotContain("203");
  }

  private static Fingerprint fp(String ip) throws UnknownHostException {
    return Fingerprint.of(InetAddress.getByName(ip));
  }
}
