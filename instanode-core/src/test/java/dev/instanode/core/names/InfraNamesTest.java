package dev.instanode.core.names;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.InfraKey;
import dev.instanode.core.PoolToken;
import dev.instanode.core.ResourceToken;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InfraNamesTest {
  private static final ResourceToken TOKEN =
      new ResourceToken(UUID.fromString("0b7f3c1e-1111-2222-3333-444455556666"));
  private static final PoolToken POOL = new PoolToken("pool-7f0c2a6e-1b1d-4c53-9a55-3f1e0c9b8d21");

  @Test
  void namesAreBuiltFromTheKeyTheInfrastructureCarries() {
    assertThat(DatabaseName.of(TOKEN).value()).isEqualTo("db_0b7f3c1e-1111-2222-3333-444455556666");
    assertThat(RoleName.of(POOL).value())
        .isEqualTo("usr_pool-7f0c2a6e-1b1d-4c53-9a55-3f1e0c9b8d21");
    assertThat(AclUserName.of(TOKEN).value()).isEqualTo("usr_0b7f3c1e-1111-2222-3333-444455556666");
  }

  @Test
  void maskedNamesKeepThePrefixAndHideTheToken() {
    assertThat(DatabaseName.of(TOKEN).masked()).isEqualTo("db_0b7f3c1e…");
    assertThat(RoleName.of(POOL).masked()).isEqualTo("usr_pool-7f0…");
    assertThat(new DatabaseName("postgres").masked()).isEqualTo("postgres");
    assertThat(NamespaceName.forCustomer(TOKEN).masked()).isEqualTo("instant-customer-0b7f3c1e…");
    assertThat(NamespaceName.forStack(new StackSlug("stk-1a2b3c4d")).masked())
        .as("a stack's slug is public")
        .isEqualTo("instant-stack-stk-1a2b3c4d");
  }

  @Test
  void aNamespaceKnowsItsTenantKindByPrefixOnly() {
    assertThat(NamespaceName.forStack(new StackSlug("stk-1a2b3c4d")).tenantKind())
        .contains(NamespaceName.Kind.STACK);
    assertThat(NamespaceName.forCustomer(TOKEN).tenantKind()).contains(NamespaceName.Kind.CUSTOMER);
    assertThat(new NamespaceName("instant-deploy-x").tenantKind())
        .contains(NamespaceName.Kind.DEPLOY);
    assertThat(new NamespaceName("instant-stack-").tenantKind()).isEmpty();
    assertThat(new NamespaceName("instant-infra").tenantKind()).isEmpty();
    assertThat(new NamespaceName("kube-system").tenantKind()).isEmpty();
  }

  @Test
  void aSlugIsStkAndEightHexAndNeverAStackId() {
    assertThat(StackSlug.random().value()).matches("stk-[0-9a-f]{8}");
    assertThat(StackSlug.parse("stk-1a2b3c4d")).isPresent();
    assertThat(StackSlug.parse(StackId.random().toString())).isEmpty();
    assertThat(StackSlug.parse("stk-1A2B3C4D")).isEmpty();
    assertThat(StackSlug.parse(null)).isEmpty();
    assertThatThrownBy(() -> new StackSlug("instant-stack-x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aKeyIsReadBackFromANameSuffixOnlyWhenItIsOneOfOurs() {
    assertThat(InfraKey.parse(TOKEN.text())).contains(TOKEN);
    assertThat(InfraKey.parse(POOL.text())).contains(POOL);
    assertThat(InfraKey.parse("rules_probe")).isEmpty();
    assertThat(InfraKey.parse("pool-")).isEmpty();
    assertThat(InfraKey.parse("1-1-1-1-1")).as("lenient UUID text is not a token").isEmpty();
  }

  @Test
  void aBindingLoginCarriesItsResourcesKeyAndFitsAPostgresName() {
    BindingKey binding = new BindingKey("00112233445566ff");
    BindingLogin login = BindingLogin.of(POOL, binding);
    assertThat(login.value())
        .isEqualTo("bnd_pool-7f0c2a6e-1b1d-4c53-9a55-3f1e0c9b8d21_00112233445566ff")
        .startsWith(BindingLogin.namePrefix(POOL));
    assertThat(login.value().length()).isLessThanOrEqualTo(63);
    assertThat(login.masked()).isEqualTo("bnd_pool-7f0…");
    assertThat(login.kind()).isEqualTo("binding_login");
    assertThat(BindingLogin.keyOf(login.value())).contains(POOL);
    assertThat(login.bindingKey()).isEqualTo(binding);
    assertThat(BindingLogin.keyOf(BindingLogin.of(TOKEN, binding).value())).contains(TOKEN);
    assertThat(BindingLogin.keyOf("usr_" + TOKEN.text())).isEmpty();
    assertThat(BindingLogin.keyOf("bnd_" + TOKEN.text() + "_0011")).isEmpty();
    assertThat(BindingLogin.keyOf("bnd_nokey_00112233445566ff")).isEmpty();
    assertThatThrownBy(() -> BindingLogin.of(new PoolToken("pool-" + "a".repeat(54)), binding))
        .as("a name past 63 bytes would be cut by Postgres and reach another login")
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBindingKeyIsDerivedFromThePlatformsBindingId() {
    assertThat(BindingKey.ofBindingId("b-1")).isEqualTo(BindingKey.ofBindingId("b-1"));
    assertThat(BindingKey.ofBindingId("b-1")).isNotEqualTo(BindingKey.ofBindingId("b-2"));
    assertThat(BindingKey.ofBindingId("anything at all").value()).matches("[0-9a-f]{16}");
  }
}
