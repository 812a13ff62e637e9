package dev.instanode.provisioner;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Every tenant a backend serves, measured in one bounded pass.
 *
 * @param complete false when the pass stopped early (its work bound, a cluster that did not
 *     answer): every figure is then a lower bound, and a tenant missing from the list may exist. A
 *     lower bound over a limit still proves the tenant is over it; nothing else may be concluded.
 * @param underPressure the shared server is close to its own bound (Redis: 80% of maxmemory), so
 *     what tenants hold beyond their plans is taking room from the others
 */
public record UsageReport(List<TenantUsage> tenants, boolean complete, boolean underPressure) {
  public UsageReport {
    tenants = List.copyOf(requireNonNull(tenants, "tenants is null"));
  }
}
