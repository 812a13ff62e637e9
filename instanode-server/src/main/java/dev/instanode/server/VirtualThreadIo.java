package dev.instanode.server;

/**
 * How virtual threads wait for sockets. Every request blocks on several (Redis, the platform
 * database, the pool, a customer cluster), so the wake-up path is on every request's latency.
 */
public final class VirtualThreadIo {
  private static final String POLLER_MODE = "jdk.pollerMode";

  private VirtualThreadIo() {}

  /**
   * Wakes a virtual thread from one platform poller thread (mode 1) instead of pollers that are
   * themselves virtual threads behind a master poller (the JDK's default on Linux since 22): one
   * hop fewer per blocking call, measured at 0.1 ms less per database or Redis call on 2 cores (see
   * docs/benchmarks.md). Must run before the first virtual thread blocks on a socket; a value set
   * on the command line wins.
   */
  public static void preferPlatformPoller() {
    if (System.getProperty(POLLER_MODE) == null) {
      System.setProperty(POLLER_MODE, "1");
    }
  }
}
