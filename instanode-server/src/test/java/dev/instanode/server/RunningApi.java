package dev.instanode.server;

import dev.instanode.api.ApiServer;
import dev.instanode.cluster.Clusters;
import dev.instanode.cluster.Fabric8StackCluster;
import dev.instanode.provisioner.ProvisionStepHook;
import dev.instanode.testkit.HttpJson;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One api for a whole test class, on a fresh platform database: started before the first test,
 * closed after the last. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final RunningApi api = RunningApi.with("KEY", "value");}
 * </pre>
 */
final class RunningApi implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, String> env = TestApplications.environment();
  private Application app;
  private HttpJson http;
  private HttpJson manyNetworks;
  private Optional<Supplier<KubernetesClient>> cluster = Optional.empty();

  private RunningApi() {}

  /**
   * With stacks on the fabric8 mock API server {@code mock} gives a client of (read when the api
   * starts: the mock server's extension, declared on the test class, has started by then).
   */
  RunningApi withCluster(Supplier<KubernetesClient> mock) {
    cluster = Optional.of(mock);
    env.put("DEDICATED_BACKENDS", "off");
    return this;
  }

  /** Test settings, with these pairs ({@code name, value, name, value…}) on top. */
  static RunningApi with(String... settings) {
    if (settings.length % 2 != 0) {
      throw new IllegalArgumentException("settings come in name, value pairs");
    }
    RunningApi api = new RunningApi();
    for (int i = 0; i < settings.length; i += 2) {
      api.env.put(settings[i], settings[i + 1]);
    }
    return api;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    app =
        cluster
            .map(mock -> {
              KubernetesClient client =
                  new KubernetesClientBuilder()
                      .withConfig(Clusters.bounded(mock.get().getConfiguration()))
                      .build();
              return Application.start(
                  Config.from(env),
                  Set.of(Role.API),
                  new Application.Options(true, ProvisionStepHook.NONE, Clock.systemUTC())
                      .withCluster(new Fabric8StackCluster(client, false, client::close)));
            })
            .orElseGet(() -> TestApplications.start(env, ProvisionStepHook.NONE));
    http = new HttpJson(app.port());
    manyNetworks = HttpJson.fromManyNetworks(app.port());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (app != null) {
      app.close();
    }
  }

  /** The settings the api runs with (its platform database among them). */
  Map<String, String> env() {
    return env;
  }

  int port() {
    return app.port();
  }

  /** Every route the api registered, with its access. */
  List<ApiServer.RouteAccess> routes() {
    return app.routes();
  }

  /** A client whose requests all come from one network. */
  HttpJson http() {
    return http;
  }

  /** A client whose every request comes from another network, so no gate limit is reached. */
  HttpJson fromManyNetworks() {
    return manyNetworks;
  }

  /** A browser's form post of {@code fields} to the page at {@code path}, asking for HTML. */
  HttpResponse<String> postForm(String path, Map<String, String> fields) {
    StringBuilder body = new StringBuilder();
    fields.forEach((k, v) -> {
      if (!body.isEmpty()) {
        body.append('&');
      }
      body.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
        Map.of("Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html"));
  }
}
