package dev.instanode.api.auth;

import io.javalin.security.RouteRole;

/**
 * Marks a route of one resource's data (a webhook receiver's requests, a storage's presign and
 * usage) that a binding's key may call, beside the route's {@link Access}. A binding's key is
 * limited to one resource: every route without this mark refuses it (403 {@code
 * insufficient_scope}), and a marked route serves it only its own resource.
 */
public enum BindingKeys implements RouteRole {
  ACCEPTED
}
