package dev.instanode.cluster;

import java.util.List;

/** Where a dedicated server is in its start, as the cluster reports it. */
public sealed interface DedicatedState {
  /** The namespace does not exist (never made, or deleted). */
  record Absent() implements DedicatedState {}

  /** The namespace exists but no pod of the server does. */
  record NoPod() implements DedicatedState {}

  /** A pod exists and is not Ready yet; {@code reasons} are its containers' waiting reasons. */
  record Starting(List<String> reasons) implements DedicatedState {
    public Starting {
      reasons = List.copyOf(reasons);
    }
  }

  /** A pod is Ready: the server accepts connections. */
  record Ready() implements DedicatedState {}
}
