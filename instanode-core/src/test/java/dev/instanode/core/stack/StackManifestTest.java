package dev.instanode.core.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.ResourceToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StackManifestTest {
  private static final ResourceToken DB =
      ResourceToken.parse("0b7f3c1e-1111-2222-3333-444455556666").orElseThrow();

  @Test
  void aManifestGivesEachServiceItsDefaultsNeedsAndResolvedEnv() {
    StackManifest m =
        StackManifest.parse(
            """
            services:
              web:
                image: nginx:1.27
                expose: true
                needs: [0b7f3c1e-1111-2222-3333-444455556666]
                env: {API: "service://api/v1", RETRIES: 3}
              api:
                image: ghcr.io/acme/api:2
                port: 9000
            """);
    StackManifest.Service web = m.service("web").orElseThrow();
    assertThat(web.port()).isEqualTo(StackManifest.DEFAULT_PORT);
    assertThat(web.expose()).isTrue();
    assertThat(web.needs()).containsExactly(DB);
    assertThat(web.env()).containsEntry("API", "http://api:9000/v1").containsEntry("RETRIES", "3");
    assertThat(m.service("api").orElseThrow().port()).isEqualTo(9000);
    assertThat(m.service("api").orElseThrow().expose()).isFalse();
  }

  @Test
  void jsonIsAManifestToo() {
    StackManifest m = StackManifest.parse("{\"services\":{\"web\":{\"image\":\"nginx\"}}}");
    assertThat(m.services()).extracting(StackManifest.Service::name).containsExactly("web");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "'services: [a'                                        | manifest",
        "'name: x'                                             | services",
        "'services: {}'                                        | services",
        "'services: {Web: {image: x}}'                         | services.Web",
        "'services: {web: {}}'                                 | services.web.image",
        "'services: {web: {image: x, port: 0}}'                | services.web.port",
        "'services: {web: {image: x, port: \"80\"}}'           | services.web.port",
        "'services: {web: {image: x, expose: yes-please}}'     | services.web.expose",
        "'services: {web: {image: x, needs: [not-a-token]}}'   | services.web.needs[0]",
        "'services: {web: {image: x, needs: abc}}'             | services.web.needs",
        "'services: {web: {image: x, replicas: 3}}'            | services.web.replicas",
        "'services: {web: {image: x, env: {A: service://db}}}' | services.web.env.A",
        "'services: {web: {image: x, env: {A: {b: c}}}}'       | services.web.env.A",
      })
  void anInvalidManifestNamesTheOffendingField(String text, String path) {
    assertThatThrownBy(() -> StackManifest.parse(text))
        .isInstanceOfSatisfying(
            ManifestException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ManifestException.Code.INVALID_MANIFEST);
              assertThat(e.path()).isEqualTo(path);
            });
  }

  @Test
  void anEnvKeyThatIsNoIdentifierIsItsOwnError() {
    assertThatThrownBy(() -> StackManifest.parse("services: {web: {image: x, env: {lower: v}}}"))
        .isInstanceOfSatisfying(
            ManifestException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ManifestException.Code.INVALID_ENV_KEY);
              assertThat(e.path()).isEqualTo("services.web.env.lower");
            });
  }

  @Test
  void buildingFromSourceIsNotSupportedYet() {
    assertThatThrownBy(() -> StackManifest.parse("services: {web: {build: ./web}}"))
        .isInstanceOfSatisfying(
            ManifestException.class,
            e -> assertThat(e.code()).isEqualTo(ManifestException.Code.BUILD_NOT_SUPPORTED));
  }
}
