package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /claim}. {@code token} (or the older {@code jwt}) and {@code tokens} are onboarding
 * tokens; a field that is not a string reads as absent, an entry of {@code tokens} that is not a
 * string as blank.
 */
public record ClaimRequest(
    @JsonProperty("token") Optional<String> token,
    @JsonProperty("jwt") Optional<String> jwt,
    @JsonProperty("tokens") Optional<List<String>> tokens,
    @JsonProperty("email") Optional<String> email,
    @JsonProperty("team_name") Optional<String> teamName) {
  public ClaimRequest {
    tokens = tokens.map(List::copyOf);
  }
}
