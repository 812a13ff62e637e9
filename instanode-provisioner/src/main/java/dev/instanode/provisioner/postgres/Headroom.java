package dev.instanode.provisioner.postgres;

import java.util.List;
import java.util.OptionalLong;

/** Pure placement decision: the cluster with the most room wins; an unreadable one never does. */
public final class Headroom {
  private Headroom() {}

  /**
   * @param databases per cluster: customer databases counted there, empty when the count failed
   * @return the index of the chosen cluster; 0 when no cluster could be read (the provision will
   *     then fail honestly on it rather than guess)
   */
  public static int choose(List<OptionalLong> databases, long capacityPerCluster) {
    int best = -1;
    long bestRoom = Long.MIN_VALUE;
    for (int i = 0; i < databases.size(); i++) {
      if (databases.get(i).isEmpty()) {
        continue;
      }
      long room = capacityPerCluster - databases.get(i).getAsLong();
      if (room > bestRoom) {
        best = i;
        bestRoom = room;
      }
    }
    return best < 0 ? 0 : best;
  }
}
