package dev.instanode.api.broker;

import dev.instanode.api.wire.BrokerCatalogReply;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The services and plans the broker offers, derived from {@code plans.yaml}: every kind this
 * install serves (Postgres, Redis and queues, whose bindings get logins of their own; webhook
 * receivers and storage, whose bindings get keys limited to them), each on every tier that keeps
 * its resources (tiers that expire are not for platforms) up to the broker team's own. Ids are
 * name-based UUIDs of this installation's id, the kind and the tier: they never change for an
 * installation, and two installations (staging beside production) registered with one platform
 * never offer the same id, which the spec asks to be globally unique.
 */
public final class BrokerCatalog {
  private static final List<ResourceType> BINDABLE = List.of(ResourceType.values());

  private final Plans plans;
  private final Set<ResourceType> enabled;
  private final String documentationUrl;
  private final String installation;

  /**
   * @param installation this installation's id (the platform database's), which every id is made
   *     from
   */
  public BrokerCatalog(
      Plans plans, Set<ResourceType> enabled, String publicBaseUrl, String installation) {
    this.plans = plans;
    this.enabled = Set.copyOf(enabled);
    this.documentationUrl = publicBaseUrl + "/llms.txt";
    this.installation = installation;
  }

  /** A plan of the catalog: the kind it provisions and the tier it provisions at. */
  public record Choice(ResourceType type, Tier tier) {}

  public static String serviceId(String installation, ResourceType type) {
    return nameUuid("instanode." + installation + ".service." + type.wireName());
  }

  public static String planId(String installation, ResourceType type, Tier tier) {
    return nameUuid(
        "instanode." + installation + ".plan." + type.wireName() + "." + tier.wireName());
  }

  private String serviceId(ResourceType type) {
    return serviceId(installation, type);
  }

  private String planId(ResourceType type, Tier tier) {
    return planId(installation, type, tier);
  }

  public BrokerCatalogReply catalog(Tier teamTier) {
    List<BrokerCatalogReply.Service> services = new ArrayList<>();
    for (ResourceType type : offered()) {
      List<BrokerCatalogReply.Plan> offeredPlans =
          tiers(teamTier).stream().map(p -> plan(type, p)).toList();
      services.add(
          new BrokerCatalogReply.Service(
              serviceId(type),
              "instanode-" + type.wireName(),
              description(type),
              List.of("instanode", type.wireName()),
              true,
              true,
              true,
              false,
              new BrokerCatalogReply.ServiceMetadata(displayName(type), documentationUrl),
              offeredPlans));
    }
    return new BrokerCatalogReply(services);
  }

  /** The plan the ids name, when the catalog offers it to a team on {@code teamTier}. */
  public Optional<Choice> resolve(String serviceId, String planId, Tier teamTier) {
    for (ResourceType type : offered()) {
      if (!serviceId(type).equals(serviceId)) {
        continue;
      }
      for (Plan p : tiers(teamTier)) {
        if (planId(type, p.tier()).equals(planId)) {
          return Optional.of(new Choice(type, p.tier()));
        }
      }
    }
    return Optional.empty();
  }

  private List<ResourceType> offered() {
    return BINDABLE.stream().filter(enabled::contains).toList();
  }

  private List<Plan> tiers(Tier teamTier) {
    int ceiling = plans.of(teamTier).rank();
    return plans.all().stream()
        .filter(p -> !p.expires() && p.rank() <= ceiling)
        .sorted(Comparator.comparingInt(Plan::rank))
        .toList();
  }

  private BrokerCatalogReply.Plan plan(ResourceType type, Plan p) {
    boolean servers = type == ResourceType.POSTGRES || type == ResourceType.REDIS;
    return new BrokerCatalogReply.Plan(
        planId(type, p.tier()),
        p.tier().wireName().replace('_', '-'),
        p.displayName()
            + (!servers ? "" : p.dedicated() ? ", on a server of its own" : ", on a shared server"),
        p.priceCentsMonthly() == 0,
        true,
        new BrokerCatalogReply.PlanMetadata(
            p.displayName(),
            servers && p.dedicated(),
            List.of(
                new BrokerCatalogReply.Cost(
                    new BrokerCatalogReply.Amount(p.priceCentsMonthly() / 100.0), "MONTHLY"))));
  }

  private static String description(ResourceType type) {
    return switch (type) {
      case POSTGRES -> "A Postgres database of its own; every binding gets a login of its own.";
      case REDIS ->
          "A Redis keyspace of its own (or its own server); every binding gets an ACL user of"
              + " its own.";
      case QUEUE ->
          "NATS subjects of its own (<prefix>.>); every binding gets a NATS user of its own.";
      case WEBHOOK ->
          "A URL that stores the requests sent to it; every binding gets a key that reads them.";
      case STORAGE ->
          "Object storage under a prefix of its own, reached by presigned URLs; every binding"
              + " gets a key that presigns them.";
    };
  }

  private static String displayName(ResourceType type) {
    return switch (type) {
      case POSTGRES -> "instanode Postgres";
      case REDIS -> "instanode Redis";
      case QUEUE -> "instanode queue";
      case WEBHOOK -> "instanode webhook receiver";
      case STORAGE -> "instanode object storage";
    };
  }

  private static String nameUuid(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
