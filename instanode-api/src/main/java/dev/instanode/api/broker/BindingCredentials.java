package dev.instanode.api.broker;

import dev.instanode.core.ResourceType;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A binding's URL as the credentials platforms read: the URL itself, and its parts for libraries
 * that take them one by one.
 */
final class BindingCredentials {
  private BindingCredentials() {}

  static Map<String, Object> ofLogin(ResourceType type, String url, Optional<String> keyPrefix) {
    URI uri = URI.create(url);
    String[] login = Optional.ofNullable(uri.getRawUserInfo()).orElse("").split(":", 2);
    Map<String, Object> credentials = new LinkedHashMap<>();
    credentials.put("uri", url);
    credentials.put("host", uri.getHost());
    credentials.put("port", uri.getPort());
    credentials.put("username", decode(login[0]));
    credentials.put("password", login.length > 1 ? decode(login[1]) : "");
    String path = Optional.ofNullable(uri.getPath()).orElse("").replaceFirst("^/", "");
    switch (type) {
      case POSTGRES -> credentials.put("database", path);
      case REDIS -> {
        credentials.put("db", path.isEmpty() ? 0 : Integer.parseInt(path));
        keyPrefix.ifPresent(prefix -> credentials.put("key_prefix", prefix));
      }
      case QUEUE -> keyPrefix.ifPresent(prefix -> credentials.put("subject_prefix", prefix));
      case WEBHOOK, STORAGE ->
          throw new IllegalArgumentException(type.wireName() + " bindings are keys, not logins");
    }
    return credentials;
  }

  private static String decode(String part) {
    return URLDecoder.decode(part, StandardCharsets.UTF_8);
  }
}
