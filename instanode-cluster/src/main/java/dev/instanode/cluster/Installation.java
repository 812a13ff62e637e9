package dev.instanode.cluster;

import static java.util.Objects.requireNonNull;

/**
 * Which instanode made a namespace: the platform database's installation id, set as a label on
 * every namespace this installation creates. The sweeps act only on namespaces that carry their own
 * installation's id, so two installations sharing a cluster (staging beside production) never take
 * each other's namespaces for orphans, and a namespace without the label is never deleted by one.
 */
public record Installation(String id) {
  public static final String LABEL = "instanode.dev/installation";

  /** For tests and tools that make and read their own namespaces only. */
  public static final Installation UNNAMED = new Installation("unnamed");

  public Installation {
    requireNonNull(id, "id is null");
    if (!id.matches("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")) {
      throw new IllegalArgumentException("an installation id must be a valid label value");
    }
  }
}
