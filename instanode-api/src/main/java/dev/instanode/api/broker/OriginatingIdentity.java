package dev.instanode.api.broker;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code X-Broker-API-Originating-Identity: <platform> <base64 of a JSON object>}: the platform's
 * user behind a request, recorded in the audit row of what it did.
 */
public record OriginatingIdentity(String platform, Map<String, Object> value) {
  private static final Pattern PLATFORM = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int MAX_HEADER = 4096;

  /** Empty when the header is absent; a malformed header is a 400, as the spec asks. */
  public static Optional<OriginatingIdentity> parse(String header, JsonMapper mapper) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String[] parts = header.trim().split(" ", 2);
    if (header.length() > MAX_HEADER
        || parts.length != 2
        || !PLATFORM.matcher(parts[0]).matches()) {
      throw malformed();
    }
    JsonNode value;
    try {
      value =
          mapper.readTree(
              new String(Base64.getDecoder().decode(parts[1].trim()), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | JacksonException e) {
      throw malformed();
    }
    if (value == null || !value.isObject()) {
      throw malformed();
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    value
        .properties()
        .forEach(e -> fields.put(e.getKey(), mapper.convertValue(e.getValue(), Object.class)));
    return Optional.of(new OriginatingIdentity(parts[0], Collections.unmodifiableMap(fields)));
  }

  /** For the audit row's metadata. */
  public Map<String, Object> asAudit() {
    return Map.of("platform", platform, "identity", value);
  }

  private static BrokerException malformed() {
    return BrokerException.badRequest(
        "X-Broker-API-Originating-Identity must be '<platform> <base64 of a JSON object>'.");
  }
}
