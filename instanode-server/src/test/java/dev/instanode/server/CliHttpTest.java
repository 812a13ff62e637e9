package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.cli.Cli;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.Tier;
import dev.instanode.testkit.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real CLI (the launcher's command line) against a real server: output, exit codes by kind of
 * error, the agent_action on errors, the config file's mode, and sign-in by key and by the device
 * flow.
 */
class CliHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension static final RunningApi api = RunningApi.with();

  @TempDir Path home;

  record Run(int exit, String out, String err) {}

  private Run run(String... args) {
    return runAt("http://127.0.0.1:" + api.port(), args);
  }

  private Run runAt(String apiUrl, String... args) {
    CommandLine command = new CommandLine(new Main());
    new Cli(Map.of("INSTANODE_CONFIG_DIR", home.toString(), "INSTANODE_API_URL", apiUrl))
        .addTo(command);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    int exit = command.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void anonymousDbNewPrintsItsUrlAndJsonIsTheApisReply() throws Exception {
    Run made = run("db", "new", "from-cli");
    assertThat(made.exit()).as(made.err()).isZero();
    assertThat(made.out()).contains("token:").contains("connection_url:").contains("Keep it:");
    Run json = run("db", "new", "from-cli-json", "--json");
    JsonNode reply = JSON.readTree(json.out());
    TestPostgres.connect(PostgresUrl.parse(reply.get("connection_url").asString())).close();

    Run refused = run("ls");
    assertThat(refused.exit()).as("401 → 3").isEqualTo(3);
    assertThat(refused.err()).startsWith("error: ").contains("Tell the user");
  }

  @Test
  void signedInWithAKeyTheTeamsResourcesAreListedRevealedRotatedAndRemoved() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    Run login = run("login", "--api-key", team.apiKey());
    assertThat(login.exit()).as(login.err()).isZero();
    assertThat(login.out()).contains("Signed in to").contains("owner");
    Path config = home.resolve("config.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
        .isEqualTo("rw-------");
    assertThat(run("whoami").out()).contains("role:").contains("owner");

    String token =
        JSON.readTree(run("db", "new", "team-db", "--json").out()).get("token").asString();
    assertThat(run("ls").out()).contains("TOKEN").contains(token).contains("team-db");
    Run url = run("url", token);
    assertThat(url.out().strip()).startsWith("postgres://").doesNotContain("\n");
    TestPostgres.connect(PostgresUrl.parse(url.out().strip())).close();
    String rotated = run("rotate", token).out().strip();
    assertThat(rotated).startsWith("postgres://").isNotEqualTo(url.out().strip());
    assertThat(run("rm", token).out()).contains("Deleted " + token);
    Run gone = run("url", token);
    assertThat(gone.exit()).as("404 → 4").isEqualTo(4);

    Run stacks = run("stack", "up", "-f", writeManifest().toString());
    assertThat(stacks.exit()).as("stacks are off here: 503 → 7").isEqualTo(7);

    assertThat(run("logout").out()).contains("Signed out");
    assertThat(Files.readString(config)).doesNotContain(team.apiKey());
    assertThat(api.http().get("/api/v1/whoami", Teams.bearer(team.apiKey())).statusCode())
        .as("logout revokes the key")
        .isEqualTo(401);
  }

  @Test
  void loginWithoutAKeyWaitsForTheBrowserApproval() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    StringWriter out = new StringWriter();
    CommandLine command = new CommandLine(new Main());
    new Cli(
            Map.of(
                "INSTANODE_CONFIG_DIR",
                home.toString(),
                "INSTANODE_API_URL",
                "http://127.0.0.1:" + api.port()))
        .addTo(command);
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(new StringWriter()));
    CompletableFuture<Integer> login =
        CompletableFuture.supplyAsync(() -> command.execute("login"));
    Pattern code = Pattern.compile("shows the code ([A-Z]{4}-[A-Z]{4})");
    String userCode =
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  Matcher m = code.matcher(out.toString());
                  return m.find() ? m.group(1) : null;
                },
                c -> c != null);
    assertThat(
            api.http()
                .post(
                    "/auth/cli/approve",
                    "{\"user_code\":\"" + userCode + "\"}",
                    Teams.bearer(Teams.session(api.env(), team)))
                .statusCode())
        .isEqualTo(200);
    assertThat(login.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(out.toString()).contains("Signed in to");
    assertThat(run("whoami").out()).contains(team.owner().email());
  }

  @Test
  void theSavedKeyGoesOnlyToTheApiItWasSavedForAndABadConfigSaysWhatToDo() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    assertThat(run("login", "--api-key", team.apiKey()).exit()).isZero();
    assertThat(run("whoami").exit()).isZero();
    // The same server by another name is another api to the CLI: no key is sent to it.
    Run elsewhere = run("whoami", "--api-url", "http://localhost:" + api.port());
    assertThat(elsewhere.exit()).isEqualTo(3);

    Files.writeString(home.resolve("config.json"), "{not json");
    Run broken = run("whoami");
    assertThat(broken.exit()).isEqualTo(1);
    assertThat(broken.err()).contains("is not valid JSON").contains("Delete it");
  }

  @Test
  void anApiThatDoesNotAnswerIsExitSevenWithWhatToDo() {
    Run down = runAt("http://127.0.0.1:1", "ls");
    assertThat(down.exit()).isEqualTo(7);
    assertThat(down.err()).contains("Nothing answers").contains("./instanode dev");
  }

  private Path writeManifest() throws Exception {
    Path file = home.resolve("instant.yaml");
    Files.writeString(file, "services:\n  web:\n    image: nginx:1.27\n");
    return file;
  }
}
