package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import dev.instanode.core.InfraKey;

/** A Redis ACL user; a customer's is {@code usr_<key>}, so it can never be {@code default}. */
public record AclUserName(String value) implements InfraName {
  public static final String PREFIX = "usr_";

  public AclUserName {
    requireNonNull(value, "value is null");
  }

  public static AclUserName of(InfraKey key) {
    return new AclUserName(PREFIX + key.text());
  }

  @Override
  public String kind() {
    return "acl_user";
  }

  @Override
  public String masked() {
    return MaskedNames.mask(value, PREFIX);
  }

  @Override
  public String toString() {
    return value;
  }
}
