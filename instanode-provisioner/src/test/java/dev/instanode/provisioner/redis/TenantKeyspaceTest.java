package dev.instanode.provisioner.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.provisioner.ProvisionerException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantKeyspaceTest {
  @Test
  void aTokenNamesTheUsrUserAndTheColonTerminatedPrefix() {
    TenantKeyspace tenant = TenantKeyspace.of("pool-0b7f3c1e-1111-2222-3333-444455556666");
    assertThat(tenant.user()).isEqualTo("usr_pool-0b7f3c1e-1111-2222-3333-444455556666");
    assertThat(tenant.keyPrefix()).isEqualTo("pool-0b7f3c1e-1111-2222-3333-444455556666:");
    assertThat(tenant.pattern()).isEqualTo("pool-0b7f3c1e-1111-2222-3333-444455556666:*");
  }

  @Test
  void theUserIsNeverTheDefaultUser() {
    assertThat(TenantKeyspace.of("default").user()).isEqualTo("usr_default");
  }

  @Test
  void globMetacharactersAreEscaped() {
    assertThat(TenantKeyspace.escapeGlob("a*b?c[d]e\\f^g:"))
        .isEqualTo("a\\*b\\?c\\[d\\]e\\\\f\\^g:");
    assertThat(TenantKeyspace.escapeGlob("0b7f3c1e-1111.x_y:")).isEqualTo("0b7f3c1e-1111.x_y:");
  }

  @Test
  void tokensThatCouldOverlapOrWidenAnotherTenantsPatternAreRefused() {
    List<String> bad =
        Arrays.asList(null, "", "a:b", "*", "a?", "[a]", "a b", "a\\b", "x".repeat(60));
    for (String token : bad) {
      assertThatThrownBy(() -> TenantKeyspace.of(token))
          .as("token %s", token)
          .isInstanceOf(ProvisionerException.class)
          .extracting(e -> ((ProvisionerException) e).kind())
          .isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT);
    }
    assertThat(TenantKeyspace.of("x".repeat(59)).user()).hasSize(63);
  }
}
