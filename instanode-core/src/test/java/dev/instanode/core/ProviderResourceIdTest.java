package dev.instanode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProviderResourceIdTest {
  private static final PoolToken POOL = new PoolToken("pool-7f0c2a6e-1b1d-4c53-9a55-3f1e0c9b8d21");

  @Test
  void aPooledIdNamesItsPoolTokenAndTheInfrastructureIsNamedAfterIt() {
    ProviderResourceId id = ProviderResourceId.parse("local:0;pooltok:" + POOL.value());
    ResourceToken resource = ResourceToken.random();

    assertThat(id.backendRef()).isEqualTo("local:0");
    assertThat(id.pool()).contains(POOL);
    assertThat(id.namingKey(resource)).isEqualTo(POOL);
  }

  @Test
  void aLiveIdIsNamedAfterTheResourceToken() {
    ResourceToken resource = ResourceToken.random();
    assertThat(ProviderResourceId.parse("local:0").namingKey(resource)).isEqualTo(resource);
    assertThat(ProviderResourceId.NONE.namingKey(resource)).isEqualTo(resource);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "local:0",
        "local:3",
        "pooltok:pool-7f0c2a6e-1b1d-4c53-9a55-3f1e0c9b8d21",
        "local:0;pooltok:pool-7f0c2a6e-1b1d-4c53-9a55-3f1e0c9b8d21"
      })
  void theStoredTextRoundTrips(String wire) {
    assertThat(ProviderResourceId.parse(wire).wire()).isEqualTo(wire);
  }

  @Test
  void pooledAddsThePoolPartOnce() {
    ProviderResourceId id = ProviderResourceId.of("local:0").pooled(POOL);
    assertThat(id.wire()).isEqualTo("local:0;pooltok:" + POOL.value());
    assertThat(id.pooled(POOL)).isEqualTo(id);
  }

  @Test
  void logsSeeTheIdWithItsPoolTokenMasked() {
    ProviderResourceId id = ProviderResourceId.of("local:0").pooled(POOL);
    assertThat(id.masked()).isEqualTo("local:0;pooltok:pool-7f0…").doesNotContain(POOL.value());
    assertThat(id.toString()).isEqualTo(id.masked());
    assertThat(ProviderResourceId.of("local:0").masked()).isEqualTo("local:0");
  }

  @Test
  void aPoolPartThatIsNotAPoolTokenIsRefusedWhereItIsRead() {
    assertThatThrownBy(() -> ProviderResourceId.parse("local:0;pooltok:db_postgres"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProviderResourceId("local:0;pooltok:x", Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
