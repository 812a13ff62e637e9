package dev.instanode.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The client commands ({@code login}, {@code db new}, {@code ls}, {@code stack up}, ...), added to
 * the {@code instanode} launcher's command line. Each calls the HTTP API and nothing else. Exit
 * codes follow the kind of error ({@link CliException}); errors print the api's message and its
 * agent_action.
 */
public final class Cli {
  private final Map<String, String> env;
  private final CliConfig config;

  public Cli(Map<String, String> env) {
    this.env = env;
    this.config = CliConfig.from(env);
  }

  /** Options every client command takes. */
  public static final class Options {
    @Option(
        names = "--api-url",
        description =
            "The api (default: $INSTANODE_API_URL, the one signed in to, or the dev server)")
    String apiUrl;

    @Option(names = "--json", description = "Print the api's JSON, for scripts")
    boolean json;
  }

  CliConfig config() {
    return config;
  }

  /** The api to call: the option, the environment, the one signed in to, or the dev server. */
  String apiUrl(Options options) {
    return Optional.ofNullable(options.apiUrl)
        .or(() -> Optional.ofNullable(env.get("INSTANODE_API_URL")).filter(u -> !u.isBlank()))
        .or(config::apiUrl)
        .orElse("http://localhost:8080");
  }

  /**
   * A client of the api to call, with the saved key only when that api is the one it was saved for:
   * a key for production is never sent to another server named with --api-url.
   */
  ApiClient client(Options options) {
    String url = apiUrl(options);
    boolean same = config.apiUrl().map(saved -> sameApi(saved, url)).orElse(false);
    return new ApiClient(url, same ? config.apiKey() : Optional.empty());
  }

  private static boolean sameApi(String a, String b) {
    return a.replaceAll("/+$", "").equalsIgnoreCase(b.replaceAll("/+$", ""));
  }

  /** Adds every client command to the launcher's command line. */
  public void addTo(CommandLine parent) {
    CommandLine.IFactory factory = new Factory(this);
    for (Class<?> command :
        new Class<?>[] {
          AccountCommands.Login.class,
          AccountCommands.Logout.class,
          AccountCommands.WhoAmI.class,
          AccountCommands.Claim.class,
          ResourceCommands.Db.class,
          ResourceCommands.Cache.class,
          ResourceCommands.Ls.class,
          ResourceCommands.Url.class,
          ResourceCommands.Rm.class,
          ResourceCommands.Rotate.class,
          StackCommands.Stack.class
        }) {
      CommandLine sub = new CommandLine(command, factory);
      parent.addSubcommand(sub.getCommandName(), sub);
    }
    // The handler of the command line that executes: the parent's.
    parent.setExecutionExceptionHandler(Cli::failed);
  }

  /** An error: its message and agent_action on stderr, its kind as the exit code. */
  static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
    PrintWriter err = command.getErr();
    if (e instanceof CliException cli) {
      err.println("error: " + cli.getMessage());
      if (!cli.agentAction().isBlank()) {
        err.println(cli.agentAction());
      }
      err.flush();
      return cli.exitCode();
    }
    // Not a client command's error (a server role that failed to start): the whole trace.
    e.printStackTrace(err);
    err.flush();
    return command.getCommandSpec().exitCodeOnExecutionException();
  }

  /** Builds each command with the shared {@link Cli}. */
  private record Factory(Cli cli) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        return type.getDeclaredConstructor(Cli.class).newInstance(cli);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
    }
  }
}
