package dev.instanode.core.stack;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Seed 003's merge of a stack's persisted env with a patch, decided in memory under the caller's
 * row lock: a non-empty value sets its key, an empty value deletes it. Only what really changed is
 * counted, so the audit row never claims a set or a delete that did not happen.
 */
public final class EnvMerge {
  /** What the persisted env may weigh, serialised. */
  public static final int MAX_BYTES = 64 * 1024;

  public static final Pattern KEY = Pattern.compile("^[A-Z_][A-Z0-9_]*$");

  /**
   * @param env the env after the merge, in key order
   * @param keysSet keys given a non-empty value
   * @param keysDeleted keys that were present and are gone
   */
  public record Result(Map<String, String> env, int keysSet, int keysDeleted) {
    public Result {
      env = Map.copyOf(requireNonNull(env, "env is null"));
    }
  }

  private EnvMerge() {}

  /** The first key of {@code patch} that is not a valid env key, if any. */
  public static Optional<String> invalidKey(Map<String, String> patch) {
    return patch.keySet().stream().filter(k -> k == null || !KEY.matcher(k).matches()).findFirst();
  }

  /**
   * @return empty when the merged env would be over {@link #MAX_BYTES}
   */
  public static Optional<Result> apply(Map<String, String> current, Map<String, String> patch) {
    Map<String, String> merged = new TreeMap<>(current);
    int set = 0;
    int deleted = 0;
    for (Map.Entry<String, String> e : patch.entrySet()) {
      String value = e.getValue() == null ? "" : e.getValue();
      if (value.isEmpty()) {
        if (merged.remove(e.getKey()) != null) {
          deleted++;
        }
      } else {
        merged.put(e.getKey(), value);
        set++;
      }
    }
    if (weight(merged) > MAX_BYTES) {
      return Optional.empty();
    }
    return Optional.of(new Result(new LinkedHashMap<>(merged), set, deleted));
  }

  /** Roughly what the env weighs as JSON: every key and value with its quotes and separators. */
  static long weight(Map<String, String> env) {
    long bytes = 2;
    for (Map.Entry<String, String> e : env.entrySet()) {
      bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length;
      bytes += e.getValue().getBytes(StandardCharsets.UTF_8).length;
      bytes += 6;
    }
    return bytes;
  }
}
