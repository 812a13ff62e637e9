package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A queue server that cannot be reloaded (here: its pid file names a process that is not
 * nats-server, as a stale one can after a crash) makes no queue: the call fails, the user it
 * recorded is rolled back through the chokepoint, and the other process is never signalled.
 */
class QueueFailureHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void aQueueWhoseServerCannotBeReloadedIsNotMadeAndLeavesNothing() throws Exception {
    Path dir = Files.createTempDirectory("queue-failure");
    Path pid = dir.resolve("nats.pid");
    Files.writeString(pid, String.valueOf(ProcessHandle.current().pid()));
    Map<String, String> env = TestApplications.environment();
    env.put("QUEUE_NATS_AUTH_FILE", dir.resolve("auth.conf").toString());
    env.put("QUEUE_NATS_PID_FILE", pid.toString());
    env.put("QUEUE_NATS_PORT", "1");
    try (Application app = TestApplications.start(env, ProvisionStepHook.NONE)) {
      HttpResponse<String> res =
          new HttpJson(app.port())
              .post(
                  "/queue/new",
                  "{\"name\":\"q\"}",
                  Map.of("Content-Type", "application/json", "X-Forwarded-For", "10.98.0.1"));
      assertThat(res.statusCode()).as(res.body()).isEqualTo(503);
      assertThat(JSON.readTree(res.body()).get("error").asString()).isEqualTo("provision_failed");
      assertThat(AnonymousGateHttpTest.count(env, "SELECT count(*) FROM provisioner.queue_users"))
          .as("the recorded user is rolled back")
          .isZero();
      assertThat(
              AnonymousGateHttpTest.count(
                  env,
                  "SELECT count(*) FROM resources WHERE resource_type = 'queue'"
                      + " AND status = 'active'"))
          .isZero();
    }
  }
}
