package dev.instanode.api.provision;

import static java.util.Objects.requireNonNull;

import dev.instanode.store.ResourceRecord;

/** An active resource and its plaintext URL, held only long enough to answer the caller. */
public record ProvisionedResource(ResourceRecord record, String connectionUrl) {
  public ProvisionedResource {
    requireNonNull(record, "record is null");
    requireNonNull(connectionUrl, "connectionUrl is null");
  }

  @Override
  public String toString() {
    return "ProvisionedResource[token=" + record.token().masked() + "]";
  }
}
