package dev.instanode.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class AesGcmTest {
  private final AesGcm aes = AesGcm.fromHexKey(AesGcm.generateHexKey());

  @Test
  void roundTrips() {
    String url = "postgres://usr_x:pw@127.0.0.1:5432/db_x?sslmode=disable";
    String sealed = aes.encrypt(url);
    assertThat(sealed).doesNotContain("pw@");
    assertThat(aes.decrypt(sealed)).isEqualTo(url);
  }

  @Test
  void eachEncryptionUsesAFreshNonce() {
    assertThat(aes.encrypt("same")).isNotEqualTo(aes.encrypt("same"));
  }

  @Test
  void rejectsATamperedCiphertext() {
    byte[] raw = Base64.getUrlDecoder().decode(aes.encrypt("secret value"));
    raw[raw.length - 20] ^= 0x01;
    String tampered = Base64.getUrlEncoder().encodeToString(raw);
    assertThatThrownBy(() -> aes.decrypt(tampered))
        .isInstanceOf(AesGcm.DecryptionFailedException.class)
        .hasMessageContaining("authentication");
  }

  @Test
  void rejectsAnotherKeysCiphertext() {
    AesGcm other = AesGcm.fromHexKey(AesGcm.generateHexKey());
    String sealed = other.encrypt("x");
    assertThatThrownBy(() -> aes.decrypt(sealed))
        .isInstanceOf(AesGcm.DecryptionFailedException.class);
  }

  @Test
  void rejectsGarbageAndShortInput() {
    assertThatThrownBy(() -> aes.decrypt("not base64!"))
        .isInstanceOf(AesGcm.DecryptionFailedException.class);
    assertThatThrownBy(() -> aes.decrypt("AAAA"))
        .isInstanceOf(AesGcm.DecryptionFailedException.class);
  }

  @Test
  void keyMustBe64Hex() {
    assertThatThrownBy(() -> AesGcm.fromHexKey("abcd")).hasMessageContaining("64 hex");
    assertThatThrownBy(() -> AesGcm.fromHexKey("z".repeat(64))).hasMessageContaining("64 hex");
  }

  @Test
  void constantTimeEqualsComparesContent() {
    assertThat(Secrets.constantTimeEquals("abc", "abc")).isTrue();
    assertThat(Secrets.constantTimeEquals("abc", "abd")).isFalse();
    assertThat(Secrets.constantTimeEquals(null, "abd")).isFalse();
  }
}
