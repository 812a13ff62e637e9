package dev.instanode.core;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Every tier's limits. plans.yaml is the only source; nothing else hard-codes a limit. */
public final class Plans {
  private static final String RESOURCE = "/plans.yaml";

  private final Map<Tier, Plan> byTier;

  private Plans(Map<Tier, Plan> byTier) {
    this.byTier = Collections.unmodifiableMap(new EnumMap<>(byTier));
  }

  /** The plans.yaml bundled with the build. */
  public static Plans bundled() {
    try (InputStream in = Plans.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Plans parse(InputStream yaml) {
    YAMLMapper mapper =
        YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();
    JsonNode tiers = mapper.readTree(yaml).path("tiers");
    if (!tiers.isObject()) {
      throw new IllegalArgumentException("plans.yaml has no 'tiers' map");
    }
    Map<Tier, Plan> byTier = new EnumMap<>(Tier.class);
    for (Map.Entry<String, JsonNode> entry : tiers.properties()) {
      Tier tier =
          Tier.parse(entry.getKey())
              .filter(t -> t.wireName().equals(entry.getKey()))
              .orElseThrow(
                  () -> new IllegalArgumentException("plans.yaml: unknown tier " + entry.getKey()));
      ((ObjectNode) entry.getValue()).put("tier", tier.name());
      byTier.put(tier, mapper.treeToValue(entry.getValue(), Plan.class));
    }
    for (Tier tier : Tier.values()) {
      if (!byTier.containsKey(tier)) {
        throw new IllegalArgumentException("plans.yaml: tier " + tier.wireName() + " is missing");
      }
    }
    return new Plans(byTier);
  }

  public Plan of(Tier tier) {
    return byTier.get(requireNonNull(tier, "tier is null"));
  }

  /** The per-role connection cap for a service, or {@link Limit#UNLIMITED}. */
  public long connectionsLimit(Tier tier, ResourceType type) {
    return limits(tier, type).connections();
  }

  /** The storage or memory limit, whichever {@link ResourceKind#size} the kind measures. */
  public long storageLimitMb(Tier tier, ResourceType type) {
    return limits(tier, type).sizeMb();
  }

  public ResourceKind.Limits limits(Tier tier, ResourceType type) {
    return ResourceKinds.of(type).limits(of(tier));
  }

  /** Every tier's plan, cheapest first. */
  public List<Plan> all() {
    return byTier.values().stream().sorted(Comparator.comparingInt(Plan::rank)).toList();
  }
}
