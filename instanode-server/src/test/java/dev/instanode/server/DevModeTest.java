package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.PostgresUrl;
import dev.instanode.testkit.HttpJson;
import dev.instanode.testkit.TestPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The embedded default: secrets made once, data kept across restarts, nothing left running. */
class DevModeTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void keepsDataAndSecretsAcrossARestartAndLeavesNoServerBehind(@TempDir Path dataDir)
      throws Exception {
    int pgPort = freePort();
    int redisPort = freePort();
    Map<String, String> env =
        Map.of(
            DevMode.PG_PORT,
            String.valueOf(pgPort),
            DevMode.REDIS_PORT,
            String.valueOf(redisPort),
            "INSTANODE_ANON_TTL",
            "90s");

    String url;
    try (DevMode dev = DevMode.start(dataDir, env, 0, Application.Options.dev())) {
      assertThat(dev.readyLine())
          .contains("curl -s -XPOST http://127.0.0.1:" + dev.apiPort() + "/db/new");
      assertThat(dev.config().host()).isEqualTo("127.0.0.1");
      assertThat(dev.config().anonymousTtl()).hasSeconds(90);
      HttpResponse<String> res =
          new HttpJson(dev.apiPort()).postJson("/db/new", "{\"name\":\"keep\"}");
      assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
      assertThat(JSON.readTree(res.body()).at("/limits/expires_in").asString()).isEqualTo("1m30s");
      url = JSON.readTree(res.body()).get("connection_url").asString();
      // ACL SAVE rewrites the ACL file (password hashes) as the cache is made.
      assertThat(
              new HttpJson(dev.apiPort()).postJson("/cache/new", "{\"name\":\"acl\"}").statusCode())
          .isEqualTo(201);
      try (Connection c = TestPostgres.connect(PostgresUrl.parse(url));
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
      }
    }
    // A stopped postgres removes its pid file; the port alone could be taken by another process
    // on a busy machine once it is free.
    assertThat(dataDir.resolve("postgres/postmaster.pid")).as("postgres stopped").doesNotExist();
    assertThat(listening(redisPort)).as("redis stopped").isFalse();

    assertThat(permissions(dataDir)).isEqualTo("rwx------");
    assertThat(permissions(dataDir.resolve("redis"))).isEqualTo("rwx------");
    assertThat(permissions(dataDir.resolve("postgres"))).isEqualTo("rwx------");
    try (var files = Files.list(dataDir.resolve("redis"))) {
      assertThat(files.filter(Files::isRegularFile).filter(f -> !Files.isExecutable(f)).toList())
          .extracting(f -> f.getFileName() + " " + permissions(f))
          .contains("users.acl rw-------", "appendonly.aof rw-------")
          .allMatch(line -> line.endsWith(" rw-------"));
    }
    assertThat(permissions(dataDir.resolve(DevPorts.FILE))).isEqualTo("rw-------");
    Path secrets = dataDir.resolve("secrets.env");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)))
        .isEqualTo("rw-------");
    String firstSecrets = Files.readString(secrets);
    assertThat(firstSecrets)
        .contains("AES_KEY=")
        .contains("JWT_SECRET=")
        .contains("INTERNAL_JWT_SECRET=");

    try (DevMode dev = DevMode.start(dataDir, env, 0, Application.Options.dev())) {
      assertThat(Files.readString(secrets)).isEqualTo(firstSecrets);
      try (Connection c = TestPostgres.connect(PostgresUrl.parse(url));
          ResultSet rs = c.createStatement().executeQuery("SELECT v FROM kept")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("survives");
      }
    }
    assertThat(dataDir.resolve("postgres/postmaster.pid")).as("postgres stopped").doesNotExist();
  }

  private static String permissions(Path path) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
