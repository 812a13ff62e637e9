package dev.instanode.core.names;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.instanode.core.ResourceToken;
import java.util.Arrays;
import java.util.Optional;

/**
 * A Kubernetes namespace. Ours carry one of three prefixes, one per kind of tenant; anything else
 * (the platform's own {@code instant-infra}, {@code kube-*}, {@code default}) is never ours to
 * drop.
 */
public record NamespaceName(@JsonValue String value) implements InfraName {
  /** What a namespace of ours holds, by prefix. */
  public enum Kind {
    /** A multi-service app: {@code instant-stack-<slug>}. */
    STACK("instant-stack-"),
    /** A dedicated resource: {@code instant-customer-<token>}. */
    CUSTOMER("instant-customer-"),
    /** A single deployment: {@code instant-deploy-<id>}. */
    DEPLOY("instant-deploy-");

    private final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    public String prefix() {
      return prefix;
    }
  }

  public NamespaceName {
    requireNonNull(value, "value is null");
  }

  public static NamespaceName forStack(StackSlug slug) {
    return new NamespaceName(Kind.STACK.prefix() + slug.value());
  }

  public static NamespaceName forCustomer(ResourceToken token) {
    return new NamespaceName(Kind.CUSTOMER.prefix() + token.text());
  }

  /** The kind its prefix names, with something after the prefix; empty for anything else. */
  public Optional<Kind> tenantKind() {
    return Arrays.stream(Kind.values())
        .filter(k -> value.startsWith(k.prefix()) && value.length() > k.prefix().length())
        .findFirst();
  }

  @Override
  public String kind() {
    return "namespace";
  }

  /** A customer namespace carries a resource token, a credential; a stack's slug is public. */
  @Override
  public String masked() {
    return tenantKind().filter(k -> k == Kind.CUSTOMER).isPresent()
        ? MaskedNames.mask(value, Kind.CUSTOMER.prefix())
        : value;
  }

  @Override
  public String toString() {
    return value;
  }
}
