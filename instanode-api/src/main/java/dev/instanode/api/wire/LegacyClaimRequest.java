package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;

/** {@code POST /api/me/claim}: {@code token} is a resource token; a non-string reads as absent. */
public record LegacyClaimRequest(@JsonProperty("token") Optional<String> token) {}
