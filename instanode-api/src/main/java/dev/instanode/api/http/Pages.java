package dev.instanode.api.http;

import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.store.ResourceRepository;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How every keyset-paginated list reads {@code limit} and {@code cursor} and writes {@code
 * next_cursor}: the cursor is the last row's (instant, id), opaque to clients.
 */
public final class Pages {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;
  private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private Pages() {}

  /** 1 to {@value #MAX_LIMIT} as the client sent it; blank means {@value #DEFAULT_LIMIT}. */
  public static int limit(Optional<String> raw) {
    if (raw.isEmpty() || raw.get().isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw.get());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new ApiException(ErrorCode.INVALID_QUERY, "limit must be a number from 1 to 200.");
  }

  /** One page of a list, and the cursor to the next when there is one. */
  public record Page<T>(List<T> items, Optional<String> next) {}

  /**
   * One page as a client asked for it ({@code cursor}, {@code limit}): {@code fetch} reads the rows
   * after a position, one more than the page holds, which only says there is a next page.
   */
  public static <T> Page<T> read(
      Optional<String> cursor,
      Optional<String> limit,
      BiFunction<Optional<ResourceRepository.Keyset>, Integer, List<T>> fetch,
      Function<T, Instant> at,
      Function<T, UUID> id) {
    int size = limit(limit);
    List<T> fetched = fetch.apply(after(cursor), size + 1);
    if (fetched.size() <= size) {
      return new Page<>(fetched, Optional.empty());
    }
    List<T> shown = fetched.subList(0, size);
    T last = shown.getLast();
    return new Page<>(shown, Optional.of(encode(at.apply(last), id.apply(last))));
  }

  /** The position after a blank cursor is the first page. */
  public static Optional<ResourceRepository.Keyset> after(Optional<String> cursor) {
    return cursor.filter(c -> !c.isBlank()).map(Pages::decode);
  }

  public static String encode(Instant at, UUID id) {
    String raw = at.toString() + "|" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static ResourceRepository.Keyset decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      Instant at = Instant.parse(raw.substring(0, bar));
      // Only instants a row could hold: others fail in the database, not as a bad cursor.
      if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
        throw new IllegalArgumentException("cursor out of range");
      }
      return new ResourceRepository.Keyset(at, UUID.fromString(raw.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw new ApiException(ErrorCode.INVALID_QUERY, "The cursor is not one this API issued.");
    }
  }
}
