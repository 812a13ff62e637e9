package dev.instanode.provisioner.dedicated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.crypto.Sha256;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindingUsersTest {
  private static final List<String> TENANT = List.of("~*", "+@all");

  @Test
  void aUsersLineHoldsItsPasswordsHashAndTheTenantsRules() {
    String file = BindingUsers.with("", "bnd_a", BindingUsers.rules("pw", TENANT));
    assertThat(file).isEqualTo("user bnd_a on #" + Sha256.hex("pw") + " ~* +@all\n");
    assertThat(file).doesNotContain(" >pw");
  }

  @Test
  void aLineIsReplacedWhereItWasAndTheOthersKept() {
    String file =
        BindingUsers.with(
            BindingUsers.with("", "bnd_a", List.of("on", "#1")), "bnd_ab", List.of("on", "#2"));
    String renewed = BindingUsers.with(file, "bnd_a", List.of("on", "#3"));
    assertThat(renewed).isEqualTo("user bnd_a on #3\nuser bnd_ab on #2\n");
    assertThat(BindingUsers.users(renewed)).containsExactly("bnd_a", "bnd_ab");
  }

  @Test
  void aRemovedUserTakesItsLineAloneAndRemovingItAgainChangesNothing() {
    String file = "user bnd_a on #1\nuser bnd_ab on #2\n";
    String without = BindingUsers.without(file, "bnd_a");
    assertThat(without).isEqualTo("user bnd_ab on #2\n");
    assertThat(BindingUsers.without(without, "bnd_a")).isSameAs(without);
    assertThat(BindingUsers.without(without, "bnd_ab")).isEmpty();
    assertThat(BindingUsers.users("")).isEmpty();
  }
}
