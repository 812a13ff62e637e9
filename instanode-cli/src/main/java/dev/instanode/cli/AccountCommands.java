package dev.instanode.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code login}, {@code logout}, {@code whoami}, {@code claim}. */
final class AccountCommands {
  private AccountCommands() {}

  @Command(
      name = "login",
      description =
          "Sign in: in a browser (the device flow), or with --api-key. The key is kept in"
              + " ~/.config/instanode (mode 0600).")
  static final class Login implements Callable<Integer> {
    private final Cli cli;

    @Mixin Cli.Options options;

    @Option(names = "--api-key", description = "Use this API key instead of a browser")
    String apiKey;

    @Spec CommandSpec spec;

    Login(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      ApiClient api = cli.client(options);
      String key = apiKey != null ? apiKey : deviceFlow(api, out, spec.commandLine().getErr());
      JsonNode who = api.withKey(key).get("/api/v1/whoami");
      cli.config().save(api.baseUrl(), key);
      out.println(
          "Signed in to "
              + who.path("team_name").asString()
              + " as "
              + who.path("email").asString("an API key")
              + " ("
              + who.path("role").asString()
              + ").");
      out.flush();
      return 0;
    }

    /** This machine's name, which the approval page shows and the key is named after. */
    private static Optional<String> deviceName() {
      try {
        String host = InetAddress.getLocalHost().getHostName();
        return host.isBlank() || host.length() > 64 ? Optional.empty() : Optional.of(host);
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    private static String deviceFlow(ApiClient api, PrintWriter out, PrintWriter err)
        throws Exception {
      ObjectNode start = ApiClient.JSON.createObjectNode();
      deviceName().ifPresent(name -> start.put("device_name", name));
      JsonNode started = api.post("/auth/cli", start);
      out.println("Open " + started.path("verification_url_complete").asString());
      out.println("and check that it shows the code " + started.path("user_code").asString());
      out.flush();
      ObjectNode poll = ApiClient.JSON.createObjectNode();
      poll.put("device_code", started.path("device_code").asString());
      long[] interval = {started.path("interval").asLong(5)};
      return Printer.spinning(
          err,
          "waiting for approval",
          () -> {
            while (true) {
              Thread.sleep(interval[0] * 1000);
              try {
                return api.post("/auth/cli/token", poll).path("api_key").asString();
              } catch (CliException e) {
                // RFC 8628: keep polling while pending; poll less often when asked to.
                switch (e.code()) {
                  case "authorization_pending" -> {}
                  case "slow_down" -> interval[0] += 5;
                  default -> throw e;
                }
              }
            }
          });
    }
  }

  @Command(name = "logout", description = "Revoke the signed-in key and forget it.")
  static final class Logout implements Callable<Integer> {
    private final Cli cli;

    @Mixin Cli.Options options;

    @Spec CommandSpec spec;

    Logout(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      ApiClient api = cli.client(options);
      int exit = 0;
      if (cli.config().apiKey().isPresent()) {
        try {
          String id = api.get("/api/v1/whoami").path("api_key_id").asString("");
          if (!id.isBlank()) {
            api.delete("/api/v1/auth/api-keys/" + id);
          }
        } catch (CliException e) {
          // Forgotten here all the same, but the person must know the key may still work.
          PrintWriter err = spec.commandLine().getErr();
          err.println("warning: the key could not be revoked (" + e.getMessage() + ")");
          err.println("Revoke it with DELETE /api/v1/auth/api-keys/{id} from a session.");
          err.flush();
          exit = e.exitCode();
        }
      }
      cli.config().forget();
      spec.commandLine().getOut().println("Signed out.");
      spec.commandLine().getOut().flush();
      return exit;
    }
  }

  @Command(name = "whoami", description = "Who the CLI is signed in as.")
  static final class WhoAmI implements Callable<Integer> {
    private final Cli cli;

    @Mixin Cli.Options options;

    @Spec CommandSpec spec;

    WhoAmI(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      JsonNode who = cli.client(options).get("/api/v1/whoami");
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        Printer.json(out, who);
      } else {
        Printer.fields(out, who, "email", "role", "team_name", "team_id", "tier", "auth_method");
      }
      return 0;
    }
  }

  @Command(
      name = "claim",
      description = "Keep anonymous resources: claim them into a new team, and sign in to it.")
  static final class Claim implements Callable<Integer> {
    private final Cli cli;

    @Mixin Cli.Options options;

    @Parameters(index = "0", description = "An upgrade_jwt from a provision")
    String upgradeJwt;

    @Option(names = "--email", required = true, description = "The team owner's address")
    String email;

    @Spec CommandSpec spec;

    Claim(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      ApiClient api = cli.client(options);
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("token", upgradeJwt);
      body.put("email", email);
      JsonNode claimed = api.post("/claim", body);
      cli.config().save(api.baseUrl(), claimed.path("api_key").asString());
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        Printer.json(out, claimed);
      } else {
        Printer.table(
            out,
            List.of("TEAM", "API KEY"),
            List.of(
                List.of(claimed.path("team_id").asString(), claimed.path("api_key").asString())));
        out.println("Signed in to the new team.");
        out.flush();
      }
      return 0;
    }
  }
}
