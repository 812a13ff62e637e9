package dev.instanode.stacks;

import dev.instanode.store.StackRecord;
import java.util.Map;
import java.util.Set;

/** The vault values a stack's env refers to ({@code vault://KEY}), read when it is applied. */
@FunctionalInterface
public interface VaultValues {
  /** A vault that holds nothing: every reference fails the apply. */
  VaultValues NONE = (row, keys) -> Map.of();

  /** The newest value of each of {@code keys} the stack's team keeps in the stack's env. */
  Map<String, String> read(StackRecord row, Set<String> keys);
}
