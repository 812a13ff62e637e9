package dev.instanode.server;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.cli.Cli;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.store.PlatformDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code instanode} command line. */
@Command(
    name = "instanode",
    mixinStandardHelpOptions = true,
    description = "Control plane for instant developer infrastructure.",
    subcommands = {Main.Dev.class, Main.Serve.class, Main.Migrate.class, Main.Admin.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    VirtualThreadIo.preferPlatformPoller();
    configureLogging(args);
    CommandLine command = new CommandLine(new Main());
    // The client commands (login, db new, ls, ...) call a running api over HTTP.
    new Cli(System.getenv()).addTo(command);
    System.exit(command.execute(args));
  }

  // Chosen before the first logger exists: readable lines in dev, JSON lines otherwise.
  private static void configureLogging(String[] args) {
    String fromEnv = System.getenv(Setting.LOG_FORMAT.name());
    boolean dev = args.length > 0 && args[0].equals("dev");
    String format = fromEnv != null ? fromEnv : dev ? "text" : "json";
    System.setProperty("LOG_FORMAT", format.equals("text") ? "TEXT" : "JSON");
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  @Command(name = "dev", description = "Run every role on embedded Postgres and Redis.")
  static final class Dev implements Callable<Integer> {
    @Option(names = "--port", description = "HTTP port (default: $PORT or 8080)")
    Integer port;

    @Option(
        names = "--data-dir",
        defaultValue = "./.instanode",
        description = "Where embedded data and secrets live (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Override
    public Integer call() {
      return runUntilSignalled(() -> {
        DevMode dev = DevMode.start(dataDir, System.getenv(), port, Application.Options.dev());
        System.out.println(dev.readyLine());
        return dev;
      });
    }
  }

  @Command(name = "serve", description = "Run the given roles; settings come from the environment.")
  static final class Serve implements Callable<Integer> {
    @Option(
        names = "--roles",
        required = true,
        description = "Comma-separated roles: api, provisioner, worker")
    String roles;

    @Override
    public Integer call() {
      return runUntilSignalled(() ->
          Application.start(
              Config.from(System.getenv()), Role.parse(roles), Application.Options.production()));
    }
  }

  @Command(name = "migrate", description = "Apply platform database migrations and exit.")
  static final class Migrate implements Callable<Integer> {
    @Override
    public Integer call() {
      Map<String, String> env = System.getenv();
      try {
        PostgresUrl platform = url(env, Setting.DATABASE_URL).orElseThrow();
        try (PlatformDatabase db = PlatformDatabase.connect(platform, 2)) {
          System.out.println("platform schema at version " + db.migrate());
        }
        PostgresUrl provisioner = url(env, Setting.PROVISIONER_DATABASE_URL).orElse(platform);
        try (ProvisionerDatabase db = ProvisionerDatabase.connect(provisioner, 2)) {
          db.migrate();
          System.out.println("provisioner schema migrated");
        }
        return 0;
      } catch (ConfigException e) {
        System.err.println("instanode: " + e.getMessage());
        return 2;
      }
    }

    private static Optional<PostgresUrl> url(Map<String, String> env, Setting setting) {
      String raw = env.get(setting.name());
      if (raw == null || raw.isBlank()) {
        if (setting.required()) {
          throw new ConfigException(List.of(setting.name() + " is not set"));
        }
        return Optional.empty();
      }
      try {
        return Optional.of(PostgresUrl.parse(raw));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(List.of(setting.name() + " " + e.getMessage()));
      }
    }
  }

  @Command(
      name = "admin",
      description = "Operator commands.",
      subcommands = {Admin.CreateTeam.class})
  static final class Admin implements Runnable {
    @Override
    public void run() {
      new CommandLine(this).usage(System.out);
    }

    @Command(
        name = "create-team",
        description =
            "Create a team with an owner and print its API key. Uses DATABASE_URL when set,"
                + " else the dev data directory (starting its embedded Postgres if it is not"
                + " running).")
    static final class CreateTeam implements Callable<Integer> {
      @Option(names = "--email", required = true, description = "Owner's email")
      String email;

      @Option(names = "--tier", defaultValue = "hobby", description = "Plan tier (default: hobby)")
      String tier;

      @Option(names = "--name", description = "Team name (default: the email)")
      String name;

      @Option(
          names = "--data-dir",
          defaultValue = "./.instanode",
          description = "Dev data directory (default: ${DEFAULT-VALUE})")
      Path dataDir;

      @Override
      public Integer call() {
        Optional<Tier> parsed = Tier.parse(tier).filter(t -> t != Tier.ANONYMOUS);
        if (parsed.isEmpty()) {
          System.err.println(
              "instanode: --tier must be one of free, hobby, hobby_plus, pro, growth, team");
          return 2;
        }
        try (AdminDatabase db = AdminDatabase.open(System.getenv(), dataDir)) {
          TeamBootstrap.Bootstrapped made =
              db.bootstrap().create(email, parsed.get(), name == null ? email : name);
          System.out.println("team_id=" + made.team().id());
          System.out.println("user_id=" + made.owner().id());
          System.out.println("tier=" + made.team().planTier().wireName());
          System.out.println("api_key=" + made.apiKey());
          return 0;
        } catch (IllegalArgumentException | ConfigException e) {
          System.err.println("instanode: " + e.getMessage());
          return 2;
        }
      }
    }
  }

  /** Starts, then blocks until SIGTERM or Ctrl-C, then closes everything it started. */
  private static int runUntilSignalled(Starter starter) {
    AutoCloseable running;
    try {
      running = starter.start();
    } catch (ConfigException e) {
      System.err.println("instanode: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      System.err.println("instanode: failed to start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    running.close();
                  } catch (Exception e) {
                    System.err.println("instanode: shutdown error: " + e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "instanode-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  @FunctionalInterface
  private interface Starter {
    AutoCloseable start();
  }
}
