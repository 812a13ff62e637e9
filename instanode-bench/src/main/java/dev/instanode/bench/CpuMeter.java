package dev.instanode.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time used by each part of a run on this one machine: the threads that generate load (the
 * benchmark's clients and the JDK HttpClient they use), the rest of this JVM (the api under test),
 * and every Postgres and Redis process on the machine (pg_ctl detaches the postmaster, so they are
 * found by name, not as children: run it on an otherwise quiet machine). On a machine of two cores
 * these parts share the CPUs, so "where did a request's CPU go" says which part bounds throughput.
 */
final class CpuMeter {
  static final String CLIENT = "client";
  static final String API = "api";
  static final String POSTGRES = "postgres";
  static final String REDIS = "redis";
  static final String CLIENT_THREAD_PREFIX = "bench-client-";

  // Linux's USER_HZ is 100 on every architecture the JDK runs on.
  private static final long NANOS_PER_TICK = 10_000_000L;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private CpuMeter() {}

  /** Nanoseconds of CPU used so far, per part. */
  static Map<String, Long> snapshot() {
    long client = 0;
    long[] ids = THREADS.getAllThreadIds();
    ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] != null && isClient(infos[i].getThreadName())) {
        client += Math.max(0, THREADS.getThreadCpuTime(ids[i]));
      }
    }
    Map<String, Long> parts = new LinkedHashMap<>();
    parts.put(CLIENT, client);
    parts.put(API, OS.getProcessCpuTime() - client);
    parts.put(POSTGRES, 0L);
    parts.put(REDIS, 0L);
    ProcessHandle.allProcesses()
        .forEach(p -> {
          String[] stat = stat(p.pid());
          if (stat.length == 0) {
            return;
          }
          String part =
              stat[0].startsWith("postgres")
                  ? POSTGRES
                  : stat[0].startsWith("redis") ? REDIS : null;
          if (part != null) {
            // utime, stime, and the same for exited children (a Postgres backend that ended).
            long ticks = 0;
            for (int field = 12; field <= 15; field++) {
              ticks += Long.parseLong(stat[field]);
            }
            parts.merge(part, ticks * NANOS_PER_TICK, Long::sum);
          }
        });
    return parts;
  }

  static Map<String, Long> since(Map<String, Long> before) {
    Map<String, Long> now = snapshot();
    now.replaceAll((part, nanos) -> nanos - before.getOrDefault(part, 0L));
    return now;
  }

  private static boolean isClient(String thread) {
    return thread.startsWith(CLIENT_THREAD_PREFIX) || thread.startsWith("HttpClient-");
  }

  /** The command name, then the fields after it (state is index 1), or nothing if it ended. */
  private static String[] stat(long pid) {
    try {
      String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int open = line.indexOf('(');
      int close = line.lastIndexOf(')');
      String comm = line.substring(open + 1, close);
      String[] rest = line.substring(close + 2).split(" ");
      String[] all = new String[rest.length + 1];
      all[0] = comm;
      System.arraycopy(rest, 0, all, 1, rest.length);
      return all;
    } catch (IOException | RuntimeException e) {
      return new String[0];
    }
  }
}
