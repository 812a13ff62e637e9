package dev.instanode.server;

import dev.instanode.embedded.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The ports {@code instanode dev}'s embedded PostgreSQL and Redis listen on. Connection URLs handed
 * to users carry these ports, so a data directory keeps its ports across restarts ({@code
 * ports.env} beside its data). The first start takes the default when it is free and a free port
 * otherwise, so a second data directory on the same machine just works. A port that is taken when
 * it must be used fails with the port and the setting that changes it.
 */
record DevPorts(int postgres, int redis) {
  static final String FILE = "ports.env";
  private static final String PG_KEY = "POSTGRES_PORT";
  private static final String REDIS_KEY = "REDIS_PORT";

  static DevPorts choose(Path dataDir, Map<String, String> env, int defaultPg, int defaultRedis) {
    Path file = dataDir.resolve(FILE);
    Map<String, String> remembered = read(file);
    int pg = choose("PostgreSQL", DevMode.PG_PORT, env, remembered.get(PG_KEY), defaultPg, file);
    int redis =
        choose("Redis", DevMode.REDIS_PORT, env, remembered.get(REDIS_KEY), defaultRedis, file);
    if (pg == redis) {
      redis = freePort();
    }
    Map<String, String> now = new LinkedHashMap<>();
    now.put(PG_KEY, String.valueOf(pg));
    now.put(REDIS_KEY, String.valueOf(redis));
    if (!now.equals(remembered)) {
      write(file, now);
    }
    return new DevPorts(pg, redis);
  }

  /** The port this data directory's PostgreSQL uses (or would), without checking it is free. */
  static int postgresPort(Path dataDir, Map<String, String> env, int defaultPg) {
    OptionalInt asked = parse(DevMode.PG_PORT, env.get(DevMode.PG_PORT));
    if (asked.isPresent()) {
      return asked.getAsInt();
    }
    String remembered = read(dataDir.resolve(FILE)).get(PG_KEY);
    return remembered == null ? defaultPg : parse(DevMode.PG_PORT, remembered).orElse(defaultPg);
  }

  private static int choose(
      String server,
      String setting,
      Map<String, String> env,
      String remembered,
      int fallback,
      Path file) {
    OptionalInt asked = parse(setting, env.get(setting));
    if (asked.isPresent()) {
      int port = asked.getAsInt() == 0 ? freePort() : asked.getAsInt();
      if (!isFree(port)) {
        throw new ConfigException(
            List.of(
                server
                    + " port "
                    + port
                    + " (from "
                    + setting
                    + ") is in use by another process; set "
                    + setting
                    + " to a free port"));
      }
      return port;
    }
    if (remembered != null) {
      int port = parse(setting, remembered).orElse(0);
      if (port == 0) {
        return fallback > 0 && isFree(fallback) ? fallback : freePort();
      }
      if (!isFree(port)) {
        throw new ConfigException(
            List.of(
                server
                    + " port "
                    + port
                    + " is in use by another process. This data directory keeps that port in "
                    + file
                    + " so the connection URLs it handed out keep working; stop the other"
                    + " process, or set "
                    + setting
                    + " to another port (URLs already handed out then point at the old one)"));
      }
      return port;
    }
    return fallback > 0 && isFree(fallback) ? fallback : freePort();
  }

  private static OptionalInt parse(String setting, String raw) {
    if (raw == null || raw.isBlank()) {
      return OptionalInt.empty();
    }
    try {
      int port = Integer.parseInt(raw.trim());
      if (port >= 0 && port <= 65535) {
        return OptionalInt.of(port);
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new ConfigException(List.of(setting + " must be a port number (0-65535)"));
  }

  static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A free loopback port that is not {@code taken} (a port a server will bind later). */
  static int freePortOtherThan(int taken) {
    for (int tries = 0; tries < 20; tries++) {
      int port = freePort();
      if (port != taken) {
        return port;
      }
    }
    throw new IllegalStateException("no free port on 127.0.0.1 other than " + taken);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static Map<String, String> read(Path file) {
    Map<String, String> values = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return values;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (!line.startsWith("#") && eq > 0) {
          values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
      }
      return values;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void write(Path file, Map<String, String> values) {
    StringBuilder out =
        new StringBuilder(
            "# Ports of this data directory's embedded servers, kept by instanode.\n");
    values.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
    try {
      Files.deleteIfExists(file);
      OwnerOnly.writeNew(file, out.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
