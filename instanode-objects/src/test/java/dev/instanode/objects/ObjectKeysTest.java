package dev.instanode.objects;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.ObjectPrefix;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectKeysTest {
  private static final ObjectPrefix PREFIX =
      ObjectPrefix.of(ResourceToken.parse("0b7f3c1e-1111-2222-3333-444455556666").orElseThrow());

  @Test
  void aPlainKeyLandsUnderThePrefix() {
    assertThat(ObjectKeys.resolve(PREFIX, "photos/2026/cat.jpg").key())
        .contains("0b7f3c1e-1111-2222-3333-444455556666/photos/2026/cat.jpg");
    assertThat(ObjectKeys.resolve(PREFIX, "naïve ☃ name.txt").key()).isPresent();
    assertThat(ObjectKeys.resolve(PREFIX, "50% off.txt").key()).isPresent();
    assertThat(ObjectKeys.resolve(PREFIX, "a..b/c.d").key()).isPresent();
  }

  /** Each of these could mean a place outside the tenant's prefix to some hop on the way. */
  @Test
  void aKeyThatCouldEscapeIsRefused() {
    for (String escaping :
        List.of(
            "",
            "/etc/passwd",
            "../other-tenant/x",
            "a/../../x",
            "a/./b",
            "..",
            "a//b",
            "a/",
            "..%2Fx",
            "%2e%2e/x",
            "a%2fb",
            "a%5Cb",
            "a\\..\\b",
            "a\u0000b",
            "a\nb",
            "\ud800x")) {
      ObjectKeys.Result r = ObjectKeys.resolve(PREFIX, escaping);
      assertThat(r.key()).as(escaping).isEmpty();
      assertThat(r.refusal()).as(escaping).isPresent();
    }
  }

  @Test
  void aKeyOverS3sLengthIsRefused() {
    int room = ObjectKeys.MAX_KEY_BYTES - PREFIX.value().length();
    assertThat(ObjectKeys.resolve(PREFIX, "k".repeat(room)).key()).isPresent();
    assertThat(ObjectKeys.resolve(PREFIX, "k".repeat(room + 1)).refusal())
        .hasValueSatisfying(reason -> assertThat(reason).contains("longer than"));
  }
}
