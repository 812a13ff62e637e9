package dev.instanode.chokepoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.AclUserName;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.DatabaseName;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.ObjectPrefix;
import dev.instanode.core.names.QueueUser;
import dev.instanode.core.names.RoleName;
import dev.instanode.core.names.StackSlug;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DropGuardTest {
  private static final String TOKEN = "0b7f3c1e-1111-2222-3333-444455556666";
  private final DropGuard guard = new DropGuard(Set.of("instanode_platform"));

  @Test
  void refusesSystemAndPlatformDatabases() {
    for (String name :
        List.of("postgres", "template0", "template1", "instanode_platform", "INSTANODE_PLATFORM")) {
      assertThat(guard.refusal(new DatabaseName(name))).as(name).isPresent();
    }
  }

  /** The chokepoint must never DELUSER Redis's admin user, whatever a backend names. */
  @Test
  void refusesTheRedisDefaultUser() {
    assertThat(guard.refusal(new AclUserName("default"))).contains("name is on the denylist");
    assertThat(guard.refusal(new AclUserName("DEFAULT"))).contains("name is on the denylist");
  }

  @Test
  void refusesNamesWithoutTheirKindsPrefixOrWithOddCharacters() {
    assertThat(guard.refusal(new DatabaseName("customers")))
        .contains("name lacks the customer prefix db_");
    assertThat(guard.refusal(new DatabaseName("usr_" + TOKEN)))
        .as("a role's prefix does not make a database a customer's")
        .isPresent();
    assertThat(guard.refusal(new RoleName("db_" + TOKEN))).isPresent();
    assertThat(guard.refusal(new DatabaseName("db_"))).isPresent();
    assertThat(guard.refusal(new DatabaseName("db_x; DROP DATABASE postgres"))).isPresent();
    assertThat(guard.refusal(new DatabaseName("db_" + "x".repeat(61)))).isPresent();
    assertThat(guard.refusal(new DatabaseName(""))).isPresent();
  }

  @Test
  void allowsCustomerObjects() {
    assertThat(guard.refusal(new DatabaseName("db_" + TOKEN))).isEmpty();
    assertThat(guard.refusal(new RoleName("usr_" + TOKEN))).isEmpty();
    assertThat(guard.refusal(new AclUserName("usr_" + TOKEN))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "default",
        "instant-infra",
        "kube-system",
        "kube-public",
        "instant-stack-",
        "instant-",
        "instanode",
        "monitoring",
        "Instant-stack-stk-1a2b3c4d",
        "instant-stack-stk_1a2b3c4d",
        "instant-stack-stk-1a2b3c4d-",
        ""
      })
  void theNamespaceGuardRefusesAnythingThatIsNotATenantNamespace(String name) {
    assertThat(guard.refusal(new NamespaceName(name))).as(name).isPresent();
  }

  @Test
  void theNamespaceGuardAllowsTenantNamespaces() {
    assertThat(guard.refusal(NamespaceName.forStack(new StackSlug("stk-1a2b3c4d")))).isEmpty();
    assertThat(guard.refusal(NamespaceName.forCustomer(ResourceToken.random()))).isEmpty();
    assertThat(guard.refusal(new NamespaceName("instant-deploy-app1"))).isEmpty();
    assertThat(guard.refusal(new NamespaceName("instant-stack-" + "a".repeat(50))))
        .as("longer than a DNS label")
        .isPresent();
  }

  /** A storage drop deletes every key under its prefix: only one whole tenant's prefix passes. */
  @Test
  void anObjectPrefixMustBeExactlyOneTenants() {
    assertThat(guard.refusal(ObjectPrefix.of(ResourceToken.parse(TOKEN).orElseThrow()))).isEmpty();
    for (String wide :
        List.of(
            "",
            "/",
            TOKEN,
            TOKEN.substring(0, 8) + "/",
            TOKEN + "/x/",
            "../" + TOKEN + "/",
            TOKEN.toUpperCase() + "/",
            "*/")) {
      assertThat(guard.refusal(new ObjectPrefix(wide))).as(wide).isPresent();
    }
  }

  @Test
  void aQueueUserCarriesItsPrefix() {
    assertThat(guard.refusal(new QueueUser("usr_0b7f3c1e111122223333444455556666"))).isEmpty();
    assertThat(guard.refusal(new QueueUser("admin"))).isPresent();
    assertThat(guard.refusal(new QueueUser("usr_"))).isPresent();
  }

  @Test
  void aBindingLoginIsOneBindingOfOneOfOurResources() {
    ResourceToken token = ResourceToken.parse(TOKEN).orElseThrow();
    assertThat(guard.refusal(BindingLogin.of(token, new BindingKey("00112233445566ff")))).isEmpty();
    for (String bad :
        List.of(
            "",
            "bnd_",
            "postgres",
            "default",
            "usr_" + TOKEN,
            "bnd_" + TOKEN,
            "bnd_" + TOKEN + "_0011",
            "bnd_" + TOKEN + "_00112233445566FF",
            "bnd_notakey_00112233445566ff",
            "bnd_" + TOKEN + "_00112233445566ff; DROP ROLE postgres",
            "bnd_pool-" + "a".repeat(50) + "_00112233445566ff")) {
      assertThat(guard.refusal(new BindingLogin(bad))).as(bad).isPresent();
    }
  }
}
