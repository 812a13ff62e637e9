package dev.instanode.core.crypto;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secrets at rest. The stored form is base64url(nonce(12) ‖ ciphertext ‖ tag(16)),
 * the byte format the original system used, so its data still decrypts.
 */
public final class AesGcm {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final SecretKeySpec key;
  // Resolved once: Cipher.getInstance by name walks the provider list on every call, which was a
  // third of the cost of sealing one URL.
  private final Provider provider;
  private final SecureRandom random;

  private AesGcm(byte[] key, SecureRandom random) {
    this.key = new SecretKeySpec(key, "AES");
    this.random = random;
    try {
      this.provider = Cipher.getInstance(TRANSFORMATION).getProvider();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no " + TRANSFORMATION, e);
    }
  }

  /**
   * @param hexKey exactly 64 hex characters (32 bytes)
   */
  public static AesGcm fromHexKey(String hexKey) {
    requireNonNull(hexKey, "hexKey is null");
    if (!hexKey.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("AES key must be exactly 64 hex characters (32 bytes)");
    }
    return new AesGcm(HexFormat.of().parseHex(hexKey), new SecureRandom());
  }

  public static String generateHexKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return HexFormat.of().formatHex(key);
  }

  public String encrypt(String plaintext) {
    requireNonNull(plaintext, "plaintext is null");
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION, provider);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return Base64.getUrlEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * @throws DecryptionFailedException when the value is malformed, was sealed with another key, or
   *     was tampered with
   */
  public String decrypt(String stored) {
    requireNonNull(stored, "stored is null");
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(stored);
    } catch (IllegalArgumentException e) {
      throw new DecryptionFailedException("ciphertext is not base64url", e);
    }
    if (raw.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new DecryptionFailedException("ciphertext is too short", null);
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION, provider);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
      byte[] plain = cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new DecryptionFailedException("ciphertext failed authentication", e);
    }
  }

  public static final class DecryptionFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DecryptionFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
