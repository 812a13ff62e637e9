package dev.instanode.provisioner.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.PoolToken;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TenantAclTest {
  private static final TenantKeyspace TENANT = TenantKeyspace.of(new PoolToken("pool-tok-1"));
  private static final String PASSWORD = "0123456789abcdef0123456789abcdef";

  @Test
  void rulesStartFromNothingAndConfineKeysAndChannelsToThePrefix() {
    List<String> rules = TenantAcl.rules(TENANT, PASSWORD, Set.of());
    assertThat(rules.subList(0, 2)).containsExactly("reset", "on");
    assertThat(rules).contains("~pool-tok-1:*", "resetchannels", "&pool-tok-1:*");
    assertThat(rules).filteredOn(r -> r.startsWith("~") || r.startsWith("&")).hasSize(2);
    assertThat(rules).doesNotContain("allkeys", "allchannels", "+@all", "nopass");
  }

  @Test
  void thePasswordIsSentOnlyAsItsSha256() throws Exception {
    List<String> rules = TenantAcl.rules(TENANT, PASSWORD, Set.of());
    String hash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(PASSWORD.getBytes(StandardCharsets.UTF_8)));
    assertThat(rules).contains("#" + hash);
    assertThat(String.join(" ", rules)).doesNotContain(PASSWORD);
  }

  /** Redis applies rules left to right: a grant after a denial would undo it. */
  @Test
  void everyCategoryGrantComesBeforeTheDenials() {
    List<String> rules = TenantAcl.rules(TENANT, PASSWORD, Set.of());
    int lastCategoryGrant =
        rules.stream().filter(r -> r.startsWith("+@")).mapToInt(rules::indexOf).max().orElseThrow();
    int firstDenial = rules.indexOf("-@admin");
    assertThat(rules.indexOf("-@all")).isLessThan(rules.indexOf("+@read"));
    assertThat(lastCategoryGrant).isLessThan(firstDenial);
    // The only grants after the denials are single harmless subcommands (and TIME).
    assertThat(rules.subList(firstDenial, rules.size()))
        .filteredOn(r -> r.startsWith("+"))
        .containsExactly("+client|setname", "+client|getname", "+client|id", "+time");
  }

  @Test
  void noTenantGetsScriptingWhetherWritableOrNot() {
    for (boolean writable : List.of(true, false)) {
      List<String> rules = TenantAcl.commandRules(writable, Set.of());
      assertThat(rules).doesNotContain("+@scripting", "+eval", "+evalsha", "+script");
      assertThat(rules).contains("-@scripting");
    }
  }

  @Test
  void overItsLimitATenantKeepsReadsAndDeletesAndNoWrite() {
    List<String> rules = TenantAcl.commandRules(false, Set.of());
    assertThat(rules).contains("+@read", "+del", "+unlink", "+expire");
    assertThat(rules).doesNotContain("+@write", "+@string", "+@hash", "+@list", "+@stream");
    assertThat(rules.getFirst()).isEqualTo("-@all");
  }

  @Test
  void functionCommandsAreDeniedOnlyWhereTheServerHasThem() {
    assertThat(TenantAcl.rules(TENANT, PASSWORD, Set.of()))
        .doesNotContain("-function", "-fcall", "-fcall_ro");
    assertThat(TenantAcl.rules(TENANT, PASSWORD, Set.of("function", "fcall", "fcall_ro")))
        .endsWith("-function", "-fcall", "-fcall_ro");
  }
}
