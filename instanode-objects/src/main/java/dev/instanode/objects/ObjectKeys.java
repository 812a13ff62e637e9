package dev.instanode.objects;

import dev.instanode.core.names.ObjectPrefix;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a tenant may name an object: a relative key that stays under its prefix however a gateway,
 * proxy or SDK between the client and the bucket reads it. S3 itself never resolves {@code ..}, but
 * a path-normalising hop would, so a key that could mean another place is refused rather than
 * cleaned up.
 */
public final class ObjectKeys {
  /** S3's own bound on a whole key, prefix included. */
  static final int MAX_KEY_BYTES = 1024;

  private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");

  private ObjectKeys() {}

  /** The full key of {@code relative} under {@code prefix}, or why it is refused. */
  public static Result resolve(ObjectPrefix prefix, String relative) {
    Optional<String> refusal = refusal(relative);
    if (refusal.isPresent()) {
      return new Result(Optional.empty(), refusal);
    }
    String full = prefix.value() + relative;
    if (full.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      return new Result(
          Optional.empty(),
          Optional.of(
              "key is longer than " + (MAX_KEY_BYTES - prefix.value().length()) + " bytes"));
    }
    return new Result(Optional.of(full), Optional.empty());
  }

  /** Exactly one of the two is present. */
  public record Result(Optional<String> key, Optional<String> refusal) {}

  private static Optional<String> refusal(String key) {
    if (key == null || key.isEmpty()) {
      return Optional.of("key is empty");
    }
    if (key.startsWith("/")) {
      return Optional.of("key is absolute (starts with /)");
    }
    if (key.indexOf('\\') >= 0) {
      return Optional.of("key contains a backslash");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return Optional.of("key contains a control character");
      }
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c)
              && i + 1 < key.length()
              && Character.isLowSurrogate(key.charAt(++i)))) {
        return Optional.of("key is not valid UTF-16 text");
      }
    }
    if (PERCENT_ESCAPE.matcher(key).find()) {
      // %2F, %2e%2e and friends: send the key as text, the presigned URL encodes it once.
      return Optional.of("key contains a percent-encoded sequence");
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty()) {
        return Optional.of("key has an empty segment (// or a trailing /)");
      }
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("key has a . or .. segment");
      }
    }
    return Optional.empty();
  }
}
