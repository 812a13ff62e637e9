package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The alert rules and the dashboard against the metrics the code really registers: no metric goes
 * unwatched without a written reason, and no rule or panel names a metric that does not exist.
 *
 * <p>Micrometer registers most counters on first use, so a scrape of a fresh application does not
 * show them all. The registered names are therefore taken from two places: every {@code
 * "instant_…"} string literal in the main sources of every module (all metric names are written so,
 * see WorkerMetrics), and a scrape of {@code /metrics} of a real application running all three
 * roles after a provision, which also proves how Prometheus exposes each kind (counters as named,
 * timers with {@code _count/_sum/_bucket/_max}) and catches a name built in a way the grep misses.
 */
class AlertRulesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path RULES = ROOT.resolve("deploy/prometheus/alerts.yaml");
  private static final Path RULE_TESTS = ROOT.resolve("deploy/prometheus/alerts.test.yaml");
  private static final Path UNALERTED = ROOT.resolve("deploy/prometheus/unalerted-metrics.txt");
  private static final Path DASHBOARD = ROOT.resolve("deploy/grafana/instanode.json");

  /** Families whose names start so are ours or the JVM's; any other token is PromQL. */
  private static final List<String> METRIC_PREFIXES = List.of("instant_", "jvm_");

  private static final Pattern NAME_LITERAL = Pattern.compile("\"(instant_[a-z0-9_]+)\"");
  private static final Pattern TOKEN = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern SELECTOR = Pattern.compile("\\{[^}]*}");
  private static final Pattern LABEL_LIST =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final List<String> TIMER_SUFFIXES = List.of("_count", "_sum", "_bucket", "_max");

  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static Application app;
  private static String scrape;
  private static Set<String> registered;

  @BeforeAll
  static void startEveryRoleAndScrape() throws Exception {
    registered = namesInMainSources();
    Map<String, String> env = TestApplications.environment();
    env.put("PROVISIONER_GRPC_PORT", "0");
    env.put("PROVISIONER_SECRET", "m".repeat(40));
    env.put("INSTANODE_WORKER_POLL_INTERVAL", "1s");
    app =
        Application.start(
            Config.from(env),
            Set.of(Role.API, Role.PROVISIONER, Role.WORKER),
            new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC()));
    HttpJson http = HttpJson.fromManyNetworks(app.port());
    // A provision registers the provision timer and counter, the backend's breaker and the
    // request timer; the worker's run-on-start jobs register their run counts.
    HttpResponse<String> made = http.postJson("/db/new", "{\"name\":\"alerts\"}");
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    // The GC pause timer is registered at the first collection after start: make one, so the
    // dashboard's GC panel names a series the scrape has.
    System.gc();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String body;
    do {
      body = http.get("/metrics").body();
      if (body.contains("instant_job_runs_total{job=\"expire_anonymous\",outcome=\"ok\"} 1")
          && body.contains("jvm_gc_pause_seconds_sum")) {
        break;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    scrape = body;
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void everyMetricTheCodeRegistersIsWatchedByARuleOrListedWithAReason() {
    Set<String> watched = families(ruleMetrics().keySet());
    Map<String, String> unalerted = unalerted();
    Set<String> unwatched = new TreeSet<>();
    for (String name : registeredNames()) {
      if (!watched.contains(name) && !listed(unalerted, name)) {
        unwatched.add(name);
      }
    }
    for (String name : scrapedFamilies()) {
      if (!watched.contains(name) && !listed(unalerted, name)) {
        unwatched.add(name);
      }
    }
    assertThat(unwatched)
        .as(
            "metrics no rule in %s names and %s does not list (add a rule, or a line with why"
                + " none is needed)",
            ROOT.relativize(RULES), ROOT.relativize(UNALERTED))
        .isEmpty();
  }

  @Test
  void everyMetricARuleNamesExists() {
    Map<String, String> unknown = new TreeMap<>();
    ruleMetrics()
        .forEach((metric, alert) -> {
          if (!exists(metric)) {
            unknown.put(metric, alert);
          }
        });
    assertThat(unknown).as("metrics named in %s that nothing registers", RULES).isEmpty();
  }

  @Test
  void theNoAlertListNamesOnlyRegisteredMetricsThatNoRuleWatches() {
    Set<String> watched = families(ruleMetrics().keySet());
    Set<String> registered = registeredNames();
    Set<String> scraped = scrapedFamilies();
    unalerted()
        .forEach((entry, reason) -> {
          assertThat(reason).as("the reason for %s", entry).isNotBlank();
          if (entry.endsWith("*")) {
            String prefix = entry.substring(0, entry.length() - 1);
            assertThat(scraped)
                .as("%s matches some metric the application exposes", entry)
                .anyMatch(s -> s.startsWith(prefix));
          } else {
            assertThat(registered).as("%s is still registered by the code", entry).contains(entry);
            assertThat(watched)
                .as("%s is listed as needing no alert, but a rule names it", entry)
                .doesNotContain(entry);
          }
        });
  }

  @Test
  void everyRuleSaysHowLongHowBadAndWhatToCheck() {
    for (JsonNode group : YAML.readTree(RULES.toFile()).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        String alert = text(rule, "alert");
        assertThat(alert).as("every rule in %s is an alert", group.get("name")).isNotBlank();
        assertThat(rule.has("for")).as("%s has a for:", alert).isTrue();
        assertThat(text(rule.path("labels"), "severity"))
            .as("%s severity", alert)
            .isIn("critical", "warning");
        for (String annotation : List.of("summary", "description", "runbook")) {
          assertThat(text(rule.path("annotations"), annotation))
              .as("%s annotation %s", alert, annotation)
              .isNotBlank();
        }
      }
    }
  }

  /** The exposition proves the naming the name check assumes: only timers grow suffixes. */
  @Test
  void prometheusExposesCountersAndGaugesAsNamedAndTimersWithSuffixes() {
    Set<String> registered = registeredNames();
    Map<String, String> types = new TreeMap<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("# TYPE instant_")) {
        String[] parts = line.split(" ");
        types.put(parts[2], parts[3]);
      }
    }
    assertThat(types).as("the scrape shows instant_ families").isNotEmpty();
    assertThat(sampleNames())
        .contains(
            "instant_provisions_total",
            "instant_provision_duration_seconds_bucket",
            "instant_provision_duration_seconds_count",
            "instant_http_request_duration_seconds_count",
            "instant_pool_ready",
            "instant_provisioner_circuit_state",
            "instant_job_runs_total");
    assertThat(sampleNames()).doesNotContain("instant_provisions_total_total");
    for (String sample : sampleNames()) {
      if (sample.startsWith("instant_")) {
        assertThat(family(sample))
            .as("scraped %s comes from a name literal in the main sources", sample)
            .isPresent()
            .get()
            .isIn(registered);
      }
    }
    types.forEach((name, type) -> {
      if (type.equals("histogram") || type.equals("summary")) {
        assertThat(name).as("timer %s", name).endsWith("_seconds");
      }
    });
  }

  @Test
  void theDashboardParsesAndQueriesOnlyMetricsThatExist() {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
    assertThat(dashboard.path("__inputs").findValuesAsString("name")).contains("DS_PROMETHEUS");
    List<String> exprs = dashboard.findValuesAsString("expr");
    assertThat(exprs).as("the dashboard's queries").hasSizeGreaterThan(10);
    Set<String> unknown = new TreeSet<>();
    for (String expr : exprs) {
      for (String metric : metricsIn(expr)) {
        if (!exists(metric)) {
          unknown.add(metric);
        }
      }
    }
    assertThat(unknown).as("metrics %s queries that nothing registers", DASHBOARD).isEmpty();
  }

  @Test
  void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
    Optional<Path> promtool = promtool();
    if (promtool.isEmpty()) {
      String missing =
          "promtool is not installed (apt-get install prometheus): rule checks skipped";
      if (inCi()) {
        throw new IllegalStateException(missing + ", and CI must run them");
      }
      Assumptions.assumeTrue(false, missing);
    }
    assertThat(run(promtool.get(), "check", "rules", RULES.getFileName().toString()))
        .contains("SUCCESS");
    assertThat(run(promtool.get(), "test", "rules", RULE_TESTS.getFileName().toString()))
        .contains("SUCCESS");
    // The dashboard's queries, as recording rules, so promtool parses every one of them too.
    Path queries = Files.createTempFile("instanode-dashboard-queries", ".yaml");
    try {
      List<Map<String, String>> rules = new ArrayList<>();
      for (String expr : JSON.readTree(DASHBOARD.toFile()).findValuesAsString("expr")) {
        rules.add(
            Map.of(
                "record",
                "dashboard:query" + rules.size(),
                "expr",
                expr.replace("$__rate_interval", "5m")));
      }
      YAML.writeValue(
          queries.toFile(), Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules))));
      assertThat(run(promtool.get(), "check", "rules", queries.toString())).contains("SUCCESS");
    } finally {
      Files.deleteIfExists(queries);
    }
  }

  // ---- names

  private static Set<String> registeredNames() {
    return registered;
  }

  /** Every metric name literal in the main sources of every module. */
  private static Set<String> namesInMainSources() {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.toList()) {
        Path main = module.resolve("src/main/java");
        if (!Files.isDirectory(main)) {
          continue;
        }
        try (Stream<Path> files = Files.walk(main)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
            Matcher m = NAME_LITERAL.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
              names.add(m.group(1));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(names).as("metric names found in the sources").hasSizeGreaterThan(50);
    return names;
  }

  /** The sample names of the scrape (a timer's _count, _sum, _bucket and _max among them). */
  private static Set<String> sampleNames() {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = TOKEN.matcher(line);
      if (m.lookingAt()) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** The scrape's families: instant_ ones as registered, others as their sample names. */
  private static Set<String> scrapedFamilies() {
    Set<String> families = new TreeSet<>();
    for (String sample : sampleNames()) {
      families.add(family(sample).orElse(sample));
    }
    return families;
  }

  /** A sample or rule token's registered name: itself, or a timer's name without its suffix. */
  private static Optional<String> family(String metric) {
    Set<String> registered = registeredNames();
    if (registered.contains(metric)) {
      return Optional.of(metric);
    }
    for (String suffix : TIMER_SUFFIXES) {
      if (metric.endsWith(suffix)) {
        String base = metric.substring(0, metric.length() - suffix.length());
        if (base.endsWith("_seconds") && registered.contains(base)) {
          return Optional.of(base);
        }
      }
    }
    return Optional.empty();
  }

  private static Set<String> families(Set<String> metrics) {
    Set<String> families = new TreeSet<>();
    for (String metric : metrics) {
      families.add(family(metric).orElse(metric));
    }
    return families;
  }

  private static boolean exists(String metric) {
    return family(metric).isPresent() || sampleNames().contains(metric);
  }

  // ---- rules

  /** Every metric a rule's expression names, with the first alert that names it. */
  private static Map<String, String> ruleMetrics() {
    Map<String, String> metrics = new TreeMap<>();
    for (JsonNode group : YAML.readTree(RULES.toFile()).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        String name = text(rule, "alert").isEmpty() ? text(rule, "record") : text(rule, "alert");
        for (String metric : metricsIn(rule.get("expr").asString())) {
          metrics.putIfAbsent(metric, name);
        }
      }
    }
    return metrics;
  }

  /** The metric names in a PromQL expression: tokens outside strings, selectors and label lists. */
  static Set<String> metricsIn(String expr) {
    String bare = STRING.matcher(expr).replaceAll(" ");
    bare = SELECTOR.matcher(bare).replaceAll(" ");
    bare = LABEL_LIST.matcher(bare).replaceAll(" ");
    Set<String> metrics = new TreeSet<>();
    Matcher m = TOKEN.matcher(bare);
    while (m.find()) {
      String token = m.group();
      if (METRIC_PREFIXES.stream().anyMatch(token::startsWith)) {
        metrics.add(token);
      }
    }
    return metrics;
  }

  /** The no-alert list: name (or prefix ending in *) to its reason. */
  private static Map<String, String> unalerted() {
    Map<String, String> entries = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(UNALERTED, StandardCharsets.UTF_8)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int dash = line.indexOf(" - ");
        assertThat(dash).as("'%s' is 'name - reason'", line).isPositive();
        String name = line.substring(0, dash).trim();
        assertThat(entries.put(name, line.substring(dash + 3).trim()))
            .as("%s listed once", name)
            .isNull();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  private static boolean listed(Map<String, String> unalerted, String name) {
    return unalerted.containsKey(name)
        || unalerted.keySet().stream()
            .anyMatch(e -> e.endsWith("*") && name.startsWith(e.substring(0, e.length() - 1)));
  }

  private static String text(JsonNode node, String field) {
    return node.has(field) ? node.get(field).asString() : "";
  }

  // ---- promtool

  private static Optional<Path> promtool() {
    List<Path> candidates = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty()) {
        candidates.add(Path.of(dir, "promtool"));
      }
    }
    candidates.add(Path.of("/usr/bin/promtool"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /** CI sets CI (.ci/run: true); there a missing promtool fails instead of skipping. */
  private static boolean inCi() {
    String ci = System.getenv("CI");
    return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
  }

  private static String run(Path promtool, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(promtool.toString());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(RULES.getParent().toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ends").isTrue();
    assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
    return output;
  }
}
