package dev.instanode.provisioner.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ResourceToken;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantKeyspaceTest {
  @Test
  void aTokenNamesTheUsrUserAndTheColonTerminatedPrefix() {
    TenantKeyspace tenant =
        TenantKeyspace.of(new PoolToken("pool-0b7f3c1e-1111-2222-3333-444455556666"));
    assertThat(tenant.user()).isEqualTo("usr_pool-0b7f3c1e-1111-2222-3333-444455556666");
    assertThat(tenant.keyPrefix()).isEqualTo("pool-0b7f3c1e-1111-2222-3333-444455556666:");
    assertThat(tenant.pattern()).isEqualTo("pool-0b7f3c1e-1111-2222-3333-444455556666:*");
  }

  @Test
  void aResourceTokenNamesItsOwnUserAndPrefix() {
    ResourceToken token = ResourceToken.random();
    assertThat(TenantKeyspace.of(token).user()).isEqualTo("usr_" + token).isNotEqualTo("default");
    assertThat(TenantKeyspace.of(token).keyPrefix()).isEqualTo(token + ":");
  }

  @Test
  void globMetacharactersAreEscaped() {
    assertThat(TenantKeyspace.escapeGlob("a*b?c[d]e\\f^g:"))
        .isEqualTo("a\\*b\\?c\\[d\\]e\\\\f\\^g:");
    assertThat(TenantKeyspace.escapeGlob("0b7f3c1e-1111.x_y:")).isEqualTo("0b7f3c1e-1111.x_y:");
  }

  /** Such a key cannot be made at all, so no keyspace can be built from one. */
  @Test
  void keysThatCouldOverlapOrWidenAnotherTenantsPatternCannotBeMade() {
    List<String> bad =
        List.of("pool-", "pool-a:b", "pool-*", "pool-a?", "pool-[a]", "pool-a b", "pool-a\\b");
    for (String token : bad) {
      assertThatThrownBy(() -> new PoolToken(token))
          .as("token %s", token)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new PoolToken("pool-" + "x".repeat(55)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(TenantKeyspace.of(new PoolToken("pool-" + "x".repeat(54))).user()).hasSize(63);
  }
}
