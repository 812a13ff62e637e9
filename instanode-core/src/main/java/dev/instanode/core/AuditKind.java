package dev.instanode.core;

/** Every kind of audit row instanode writes. The wire string is stored in audit_log.kind. */
public enum AuditKind {
  PROVISION("provision"),
  PROVISION_FAILED("provision.failed"),
  ONBOARDING_CLAIMED("onboarding.claimed"),
  RESOURCE_CLAIMED("resource.claimed"),
  CONNECTION_URL_DECRYPTED("connection_url.decrypted"),
  CREDENTIALS_ROTATED("resource.credentials_rotated"),
  RESOURCE_DELETED("resource.deleted"),
  API_KEY_CREATED("auth.api_key_created"),
  TEAM_CREATED("team.created"),
  SUBSCRIPTION_UPGRADED("subscription.upgraded"),
  SUBSCRIPTION_DOWNGRADED("subscription.downgraded");

  private final String wire;

  AuditKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
