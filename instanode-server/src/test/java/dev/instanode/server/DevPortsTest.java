package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second data directory on one machine gets its own ports, and each keeps them. */
class DevPortsTest {
  @Test
  void aBusyDefaultIsReplacedByAFreePortThatTheDataDirectoryKeeps(@TempDir Path dir)
      throws Exception {
    try (ServerSocket firstInstancePg = listen();
        ServerSocket firstInstanceRedis = listen()) {
      DevPorts chosen =
          DevPorts.choose(
              dir, Map.of(), firstInstancePg.getLocalPort(), firstInstanceRedis.getLocalPort());
      assertThat(chosen.postgres()).isNotEqualTo(firstInstancePg.getLocalPort());
      assertThat(chosen.redis()).isNotEqualTo(firstInstanceRedis.getLocalPort());
      assertThat(chosen.postgres()).isNotEqualTo(chosen.redis());

      // The defaults are free again, but the URLs this directory handed out name its own ports.
      firstInstancePg.close();
      firstInstanceRedis.close();
      DevPorts again =
          DevPorts.choose(
              dir, Map.of(), firstInstancePg.getLocalPort(), firstInstanceRedis.getLocalPort());
      assertThat(again).isEqualTo(chosen);
    }
    Path file = dir.resolve(DevPorts.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void aKeptPortThatIsTakenFailsNamingThePortAndTheSetting(@TempDir Path dir) throws Exception {
    DevPorts chosen = DevPorts.choose(dir, Map.of(), 0, 0);
    try (ServerSocket squatter = listenOn(chosen.postgres())) {
      assertThatThrownBy(() -> DevPorts.choose(dir, Map.of(), 0, 0))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("PostgreSQL port " + chosen.postgres())
          .hasMessageContaining(DevMode.PG_PORT);
    }
  }

  @Test
  void aRequestedPortThatIsTakenFailsNamingTheSetting(@TempDir Path dir) throws Exception {
    try (ServerSocket squatter = listen()) {
      assertThatThrownBy(() ->
              DevPorts.choose(
                  dir, Map.of(DevMode.REDIS_PORT, String.valueOf(squatter.getLocalPort())), 0, 0))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("Redis port " + squatter.getLocalPort())
          .hasMessageContaining(DevMode.REDIS_PORT);
    }
    assertThatThrownBy(() -> DevPorts.choose(dir, Map.of(DevMode.PG_PORT, "nope"), 0, 0))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(DevMode.PG_PORT + " must be a port number");
  }

  @Test
  void aRequestedPortIsKeptForTheNextStart(@TempDir Path dir) throws Exception {
    int wanted;
    try (ServerSocket probe = listen()) {
      wanted = probe.getLocalPort();
    }
    DevPorts first = DevPorts.choose(dir, Map.of(DevMode.PG_PORT, String.valueOf(wanted)), 0, 0);
    assertThat(first.postgres()).isEqualTo(wanted);
    assertThat(DevPorts.choose(dir, Map.of(), 0, 0).postgres()).isEqualTo(wanted);
    assertThat(DevPorts.postgresPort(dir, Map.of(), 1)).isEqualTo(wanted);
  }

  private static ServerSocket listen() throws Exception {
    return new ServerSocket(0, 0, InetAddress.getLoopbackAddress());
  }

  private static ServerSocket listenOn(int port) throws Exception {
    return new ServerSocket(port, 0, InetAddress.getLoopbackAddress());
  }
}
