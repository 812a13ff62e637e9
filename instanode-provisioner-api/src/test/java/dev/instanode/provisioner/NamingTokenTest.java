package dev.instanode.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamingTokenTest {
  @Test
  void aPooledIdIsMaskedForLogsAndALiveOneIsKept() {
    String pool = "pool-7f0c2a6e-1b1d-4c53-9a55-3f1e0c9b8d21";
    String prid = NamingToken.encodePooled("local:0", pool);
    assertThat(NamingToken.poolToken(prid)).hasValue(pool);
    assertThat(NamingToken.masked(prid))
        .isEqualTo("local:0;pooltok:pool-7f0…")
        .doesNotContain(pool);
    assertThat(NamingToken.masked("local:0")).isEqualTo("local:0");
    assertThat(NamingToken.masked(null)).isEmpty();
  }
}
