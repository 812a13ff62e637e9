package dev.instanode.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code ~/.config/instanode/config.json} (or {@code $INSTANODE_CONFIG_DIR}): the API key the CLI
 * signed in with and the api it belongs to. The file is the person's credential: mode 0600 in a
 * 0700 directory, written whole through a temporary file.
 */
public final class CliConfig {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path dir;

  public CliConfig(Path dir) {
    this.dir = dir;
  }

  /** Where it lives for this environment. */
  public static CliConfig from(Map<String, String> env) {
    String override = env.get("INSTANODE_CONFIG_DIR");
    Path dir =
        override != null && !override.isBlank()
            ? Path.of(override)
            : Path.of(System.getProperty("user.home"), ".config", "instanode");
    return new CliConfig(dir);
  }

  public Path file() {
    return dir.resolve("config.json");
  }

  public Optional<String> apiKey() {
    return read().map(n -> n.path("api_key").asString("")).filter(k -> !k.isBlank());
  }

  public Optional<String> apiUrl() {
    return read().map(n -> n.path("api_url").asString("")).filter(u -> !u.isBlank());
  }

  public void save(String apiUrl, String apiKey) {
    ObjectNode node = JSON.createObjectNode();
    node.put("api_url", apiUrl);
    node.put("api_key", apiKey);
    write(JSON.writeValueAsString(node));
  }

  /** Forgets the key (the api it belonged to stays, for the next login). */
  public void forget() {
    ObjectNode node = JSON.createObjectNode();
    apiUrl().ifPresent(u -> node.put("api_url", u));
    write(JSON.writeValueAsString(node));
  }

  private Optional<JsonNode> read() {
    try {
      return Files.exists(file())
          ? Optional.of(JSON.readTree(Files.readString(file())))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (JacksonException e) {
      throw new CliException(
          CliException.FAILED,
          file() + " is not valid JSON.",
          "Delete it and sign in again with instanode login.");
    }
  }

  private void write(String text) {
    try {
      // Only a directory made here is narrowed: an existing one is the person's to set.
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        setMode(dir, "rwx------");
      }
      Path tmp = Files.createTempFile(dir, "config", ".tmp");
      setMode(tmp, "rw-------");
      Files.writeString(tmp, text);
      Files.move(
          tmp,
          file(),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      setMode(file(), "rw-------");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void setMode(Path path, String mode) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system (Windows): the user's profile directory protects it.
    }
  }
}
