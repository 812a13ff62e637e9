package dev.instanode.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** A tiny HTTP client for tests that talk to a started instanode over real sockets. */
public final class HttpJson {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final boolean manyNetworks;

  public HttpJson(int port) {
    this(port, false);
  }

  private HttpJson(int port, boolean manyNetworks) {
    this.base = "http://127.0.0.1:" + port;
    this.manyNetworks = manyNetworks;
  }

  /**
   * A client whose every request claims (through X-Forwarded-For, which a server trusting 127.0.0.1
   * believes) to come from a different network, so anonymous rate limits stay out of tests about
   * something else.
   */
  public static HttpJson fromManyNetworks(int port) {
    return new HttpJson(port, true);
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), Map.of());
  }

  public HttpResponse<String> get(String path, Map<String, String> headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
  }

  public HttpResponse<String> delete(String path, Map<String, String> headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), headers);
  }

  /** Any method with a body: PATCH, PUT, or a DELETE that carries one. */
  public HttpResponse<String> send(
      String method, String path, String body, Map<String, String> headers) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .method(method, HttpRequest.BodyPublishers.ofString(body)),
        headers);
  }

  public HttpResponse<String> postJson(String path, String body) {
    return post(path, body, Map.of("Content-Type", "application/json"));
  }

  public HttpResponse<String> post(String path, String body, Map<String, String> headers) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        headers);
  }

  public HttpResponse<String> send(HttpRequest.Builder request, Map<String, String> headers) {
    headers.forEach(request::header);
    if (manyNetworks && !headers.containsKey("X-Forwarded-For")) {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      request.header("X-Forwarded-For", "10." + r.nextInt(256) + "." + r.nextInt(256) + ".1");
    }
    try {
      HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
      HttpResponse<String> response = client.send(built, HttpResponse.BodyHandlers.ofString());
      // Every answer an HTTP test receives keeps the OpenAPI document, or the test fails here.
      ContractCheck.loaded()
          .map(c -> c.violations(built.method(), built.uri().getRawPath(), response))
          .filter(v -> !v.isEmpty())
          .ifPresent(v -> {
            throw new AssertionError("the answer breaks openapi.yaml:\n" + String.join("\n", v));
          });
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
