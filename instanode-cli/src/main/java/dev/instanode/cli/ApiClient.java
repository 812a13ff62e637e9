package dev.instanode.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP API as the CLI calls it: JSON in and out, the signed-in key as a bearer, and every error
 * turned into a {@link CliException} carrying the envelope's message and agent_action.
 */
public final class ApiClient {
  static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String baseUrl;
  private final Optional<String> apiKey;

  public ApiClient(String baseUrl, Optional<String> apiKey) {
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.apiKey = apiKey;
  }

  public String baseUrl() {
    return baseUrl;
  }

  public ApiClient withKey(String key) {
    return new ApiClient(baseUrl, Optional.of(key));
  }

  public JsonNode get(String path) {
    return send("GET", path, Optional.empty());
  }

  public JsonNode post(String path, JsonNode body) {
    return send("POST", path, Optional.of(body));
  }

  public JsonNode patch(String path, JsonNode body) {
    return send("PATCH", path, Optional.of(body));
  }

  public JsonNode delete(String path) {
    return send("DELETE", path, Optional.empty());
  }

  /** A JSON answer, or a {@link CliException} for an error; a 2xx JSON body is returned. */
  public JsonNode send(String method, String path, Optional<JsonNode> body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(5));
    // A create retried after a timeout must not make a second resource.
    if (method.equals("POST") && path.endsWith("/new")) {
      request.header("Idempotency-Key", UUID.randomUUID().toString());
    }
    apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k));
    request.header("Accept", "application/json");
    if (body.isPresent()) {
      request.header("Content-Type", "application/json");
      request.method(
          method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body.get())));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw unreachable();
    } catch (IOException e) {
      throw new CliException(CliException.UNAVAILABLE, "The api did not answer: " + e, "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(CliException.FAILED, "Interrupted.", "");
    }
    return answer(response.statusCode(), response.body());
  }

  /** Reads a server-sent event stream, handing each event's data to {@code line}. */
  public void stream(String path, Consumer<String> line) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).GET();
    apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k));
    try {
      HttpResponse<InputStream> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() >= 400) {
        answer(
            response.statusCode(),
            new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
      }
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String event = "message";
        for (String l = reader.readLine(); l != null; l = reader.readLine()) {
          if (l.startsWith("event:")) {
            event = l.substring(6).strip();
          } else if (l.startsWith("data:")) {
            String data = l.substring(5).strip();
            switch (event) {
              case "end" -> {
                return;
              }
              case "error" -> {
                JsonNode error = answerOrText(data);
                throw new CliException(
                    CliException.FAILED,
                    error.path("message").asString(data),
                    error.path("agent_action").asString(""),
                    error.path("error").asString(""));
              }
              default -> line.accept(data);
            }
          } else if (l.isEmpty()) {
            event = "message";
          }
        }
      }
    } catch (ConnectException e) {
      throw unreachable();
    } catch (IOException e) {
      throw new CliException(CliException.UNAVAILABLE, "The stream ended: " + e, "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static JsonNode answerOrText(String data) {
    try {
      return JSON.readTree(data);
    } catch (JacksonException e) {
      return JSON.createObjectNode();
    }
  }

  private CliException unreachable() {
    return new CliException(
        CliException.UNAVAILABLE,
        "Nothing answers at " + baseUrl + ".",
        "Start it with ./instanode dev, or pass --api-url (or set INSTANODE_API_URL).");
  }

  static JsonNode answer(int status, String body) {
    JsonNode node;
    try {
      node = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (JacksonException e) {
      throw new CliException(
          CliException.forStatus(status), "The api answered " + status + " with no JSON.", "");
    }
    if (status >= 400) {
      throw new CliException(
          CliException.forStatus(status),
          node.path("message").asString("The api answered " + status + "."),
          node.path("agent_action").asString(""),
          node.path("error").asString(""));
    }
    return node;
  }
}
