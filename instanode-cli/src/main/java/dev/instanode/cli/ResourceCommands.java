package dev.instanode.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code db new}, {@code cache new}, {@code ls}, {@code url}, {@code rm}, {@code rotate}. */
final class ResourceCommands {
  private ResourceCommands() {}

  /** {@code <kind> new NAME}: a resource, anonymous unless signed in. */
  abstract static class New implements Callable<Integer> {
    private final Cli cli;
    private final String route;

    @Mixin Cli.Options options;

    @Parameters(index = "0", description = "new")
    String verb;

    @Parameters(index = "1", description = "The resource's name")
    String name;

    @Option(names = "--env", description = "The env label (default: the team's)")
    String env;

    @Spec CommandSpec spec;

    New(Cli cli, String route) {
      this.cli = cli;
      this.route = route;
    }

    @Override
    public Integer call() throws Exception {
      if (!verb.equals("new")) {
        throw new CliException(CliException.FAILED, "Unknown action " + verb + ": try new.", "");
      }
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("name", name);
      if (env != null) {
        body.put("env", env);
      }
      ApiClient api = cli.client(options);
      JsonNode made =
          Printer.spinning(
              spec.commandLine().getErr(), "provisioning", () -> api.post(route, body));
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        Printer.json(out, made);
      } else {
        Printer.fields(
            out,
            made,
            "token",
            "name",
            "resource_type",
            "tier",
            "env",
            "expires_at",
            "connection_url");
        if (made.hasNonNull("upgrade")) {
          out.println("Keep it: " + made.path("upgrade").asString());
          out.flush();
        }
      }
      return 0;
    }
  }

  @Command(name = "db", description = "db new NAME: a Postgres database.")
  static final class Db extends New {
    Db(Cli cli) {
      super(cli, "/db/new");
    }
  }

  @Command(name = "cache", description = "cache new NAME: a Redis cache.")
  static final class Cache extends New {
    Cache(Cli cli) {
      super(cli, "/cache/new");
    }
  }

  @Command(name = "ls", description = "The team's resources.")
  static final class Ls implements Callable<Integer> {
    private final Cli cli;

    @Mixin Cli.Options options;

    @Spec CommandSpec spec;

    Ls(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      JsonNode listed = cli.client(options).get("/api/v1/resources");
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        Printer.json(out, listed);
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode r : listed.path("items")) {
        rows.add(
            List.of(
                r.path("token").asString(),
                r.path("name").asString(),
                r.path("resource_type").asString(),
                r.path("env").asString(),
                r.path("status").asString(),
                r.path("expires_at").asString("never")));
      }
      Printer.table(out, List.of("TOKEN", "NAME", "TYPE", "ENV", "STATUS", "EXPIRES"), rows);
      return 0;
    }
  }

  /** A command on one resource by its token. */
  abstract static class OnToken implements Callable<Integer> {
    final Cli cli;

    @Mixin Cli.Options options;

    @Parameters(index = "0", description = "The resource's token")
    String token;

    @Spec CommandSpec spec;

    OnToken(Cli cli) {
      this.cli = cli;
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(
      name = "url",
      description = "Print a resource's connection URL alone: psql \"$(instanode url TOKEN)\".")
  static final class Url extends OnToken {
    Url(Cli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      JsonNode credentials = cli.client(options).get("/api/v1/resources/" + token + "/credentials");
      if (options.json) {
        Printer.json(out(), credentials);
      } else {
        out().println(credentials.path("connection_url").asString());
        out().flush();
      }
      return 0;
    }
  }

  @Command(name = "rm", description = "Delete a resource and its data.")
  static final class Rm extends OnToken {
    Rm(Cli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      JsonNode gone = cli.client(options).delete("/api/v1/resources/" + token);
      if (options.json) {
        Printer.json(out(), gone);
      } else {
        out().println("Deleted " + token + ".");
        out().flush();
      }
      return 0;
    }
  }

  @Command(name = "rotate", description = "A new password; the old one stops working at once.")
  static final class Rotate extends OnToken {
    Rotate(Cli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      JsonNode rotated =
          cli.client(options)
              .post(
                  "/api/v1/resources/" + token + "/rotate-credentials",
                  ApiClient.JSON.createObjectNode());
      if (options.json) {
        Printer.json(out(), rotated);
      } else {
        out().println(rotated.path("connection_url").asString());
        out().flush();
      }
      return 0;
    }
  }
}
