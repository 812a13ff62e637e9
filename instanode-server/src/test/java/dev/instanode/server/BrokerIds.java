package dev.instanode.server;

import dev.instanode.api.broker.BrokerCatalog;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.store.PlatformDatabase;
import java.util.Map;

/** The broker catalog's ids on a running api, made from its installation's id as it makes them. */
record BrokerIds(String installation) {
  static BrokerIds of(Map<String, String> env) {
    try (PlatformDatabase db = PlatformDatabase.connect(TestApplications.platformUrl(env), 1)) {
      return new BrokerIds(db.installationId());
    }
  }

  String service(ResourceType type) {
    return BrokerCatalog.serviceId(installation, type);
  }

  String plan(ResourceType type, Tier tier) {
    return BrokerCatalog.planId(installation, type, tier);
  }
}
