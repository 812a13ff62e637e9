package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonValue;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A stack's public id, {@code stk-} and 8 hex digits; it also names the stack's namespace. Never
 * the stack's internal {@link StackId}: seed 000's sweep confused the two and reaped live stacks.
 */
public record StackSlug(@JsonValue String value) {
  public static final String PREFIX = "stk-";
  private static final Pattern SHAPE = Pattern.compile("stk-[0-9a-f]{8}");
  private static final SecureRandom RANDOM = new SecureRandom();

  public StackSlug {
    requireNonNull(value, "value is null");
    if (!SHAPE.matcher(value).matches()) {
      throw new IllegalArgumentException("a stack slug is stk- and 8 lower-case hex digits");
    }
  }

  public static StackSlug random() {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    return new StackSlug(PREFIX + HexFormat.of().formatHex(bytes));
  }

  /** Empty when {@code raw} is not a slug; for input from the edge. */
  public static Optional<StackSlug> parse(String raw) {
    return raw != null && SHAPE.matcher(raw).matches()
        ? Optional.of(new StackSlug(raw))
        : Optional.empty();
  }

  @Override
  public String toString() {
    return value;
  }
}
