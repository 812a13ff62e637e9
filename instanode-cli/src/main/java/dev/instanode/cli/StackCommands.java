package dev.instanode.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** {@code stack up}, {@code stack env set}, {@code stack logs}. */
final class StackCommands {
  private StackCommands() {}

  @Command(
      name = "stack",
      description = "Multi-service apps, each in its own namespace.",
      subcommands = {Up.class, Env.class, Logs.class})
  static final class Stack implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "up", description = "Deploy instant.yaml as a new stack.")
  static final class Up implements Callable<Integer> {
    private final Cli cli;

    @Mixin Cli.Options options;

    @Option(
        names = {"-f", "--file"},
        defaultValue = "instant.yaml",
        description = "The manifest")
    Path file;

    @Option(names = "--name", description = "The stack's name (default: the directory's)")
    String name;

    @Option(names = "--env", description = "The env label")
    String env;

    @Spec CommandSpec spec;

    Up(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
      String manifest;
      try {
        manifest = Files.readString(file);
      } catch (IOException e) {
        throw new CliException(CliException.FAILED, "Cannot read " + file + ": " + e, "");
      }
      ObjectNode body = ApiClient.JSON.createObjectNode();
      Path dir = file.toAbsolutePath().getParent();
      body.put("name", name != null ? name : dir == null ? "app" : dir.getFileName().toString());
      if (env != null) {
        body.put("env", env);
      }
      body.put("manifest", manifest);
      ApiClient api = cli.client(options);
      JsonNode made =
          Printer.spinning(
              spec.commandLine().getErr(), "deploying", () -> api.post("/stacks/new", body));
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        Printer.json(out, made);
      } else {
        Printer.fields(out, made, "stack_id", "status", "tier", "env", "cluster", "note");
      }
      return 0;
    }
  }

  @Command(name = "env", description = "env set K=V... --stack SLUG: merge into a stack's env.")
  static final class Env implements Callable<Integer> {
    private final Cli cli;

    @Mixin Cli.Options options;

    @Parameters(index = "0", description = "set")
    String verb;

    @Parameters(index = "1..*", description = "KEY=VALUE pairs (an empty value deletes the key)")
    List<String> pairs;

    @Option(names = "--stack", required = true, description = "The stack_id")
    String stack;

    @Spec CommandSpec spec;

    Env(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (!verb.equals("set")) {
        throw new CliException(CliException.FAILED, "Unknown action " + verb + ": try set.", "");
      }
      ObjectNode env = ApiClient.JSON.createObjectNode();
      for (String pair : pairs) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new CliException(CliException.FAILED, "Expected KEY=VALUE, got " + pair + ".", "");
        }
        env.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.set("env", env);
      JsonNode merged = cli.client(options).patch("/stacks/" + stack + "/env", body);
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        Printer.json(out, merged);
      } else {
        out.println(merged.path("message").asString("Env updated."));
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "logs", description = "logs SLUG SERVICE: follow a service's logs.")
  static final class Logs implements Callable<Integer> {
    private final Cli cli;

    @Mixin Cli.Options options;

    @Parameters(index = "0", description = "The stack_id")
    String stack;

    @Parameters(index = "1", description = "The service")
    String service;

    @Spec CommandSpec spec;

    Logs(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      cli.client(options).stream(
          "/stacks/" + stack + "/logs/" + service,
          line -> {
            out.println(line);
            out.flush();
          });
      return 0;
    }
  }
}
