package dev.instanode.core.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VaultRefsTest {
  @Test
  void referencesAreFoundAndResolvedAndPlainValuesKept() {
    Map<String, String> env = Map.of("A", "vault://STRIPE_KEY", "B", "plain", "C", "vault://X_1");
    assertThat(VaultRefs.referenced(List.of(env))).containsExactly("STRIPE_KEY", "X_1");
    assertThat(VaultRefs.resolve(env, Map.of("STRIPE_KEY", "sk", "X_1", "x")))
        .containsEntry("A", "sk")
        .containsEntry("B", "plain")
        .containsEntry("C", "x");
  }

  @Test
  void aMissingOrMalformedReferenceIsNamed() {
    assertThatThrownBy(() -> VaultRefs.resolve(Map.of("A", "vault://GONE"), Map.of()))
        .hasMessageContaining("vault://GONE");
    assertThat(VaultRefs.referenced(List.of(Map.of("A", "vault://lower"))))
        .containsExactly("vault://lower");
    assertThat(VaultRefs.key("vault://lower")).isEmpty();
    assertThat(VaultRefs.isKey("9LIVES")).isFalse();
    assertThat(VaultRefs.isKey("_OK_9")).isTrue();
  }
}
