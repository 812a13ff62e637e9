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
  API_KEY_REVOKED("auth.api_key_revoked"),
  TEAM_CREATED("team.created"),
  /** The team's name, default env or settings changed (the fields named, never values). */
  TEAM_UPDATED("team.updated"),
  TEAM_MEMBER_ROLE_CHANGED("team.member_role_changed"),
  /** A member was taken out of the team; their keys were revoked with them. */
  TEAM_MEMBER_REMOVED("team.member_removed"),
  /** An owner asked for the team to be deleted; its teardown follows. */
  TEAM_DELETION_REQUESTED("team.deletion_requested"),
  /** Everything a deleted team held was torn down; the team row stays as a tombstone. */
  TEAM_TOMBSTONED("team.tombstoned"),
  TEAM_INVITATION_CREATED("team.invitation_created"),
  TEAM_INVITATION_REVOKED("team.invitation_revoked"),
  TEAM_INVITATION_ACCEPTED("team.invitation_accepted"),
  /** A vault value was read (by a member, or by a deploy resolving vault:// references). */
  VAULT_READ("vault.read"),
  /** A vault key was written (a new version) or deleted; never its value. */
  VAULT_WRITE("vault.write"),
  /** A member signed in (a session was issued); metadata says how. */
  AUTH_LOGIN("auth.login"),
  /** A session was ended before its expiry. */
  AUTH_LOGOUT("auth.logout"),
  /** A platform provisioned a service instance through the Open Service Broker API. */
  BROKER_PROVISIONED("broker.provisioned"),
  /** A platform deprovisioned a service instance; its resource and every binding were dropped. */
  BROKER_DEPROVISIONED("broker.deprovisioned"),
  /** A platform bound an instance: a login of the binding's own was made. */
  BROKER_BOUND("broker.bound"),
  /** A platform unbound an instance: that binding's login was dropped, and nothing else. */
  BROKER_UNBOUND("broker.unbound"),
  SUBSCRIPTION_UPGRADED("subscription.upgraded"),
  SUBSCRIPTION_DOWNGRADED("subscription.downgraded"),
  /** A pending propagation's handler finished; the change reached the infrastructure. */
  PROPAGATION_APPLIED("propagation.applied"),
  /** A propagation attempt failed and is scheduled again per the backoff. */
  PROPAGATION_RETRYING("propagation.retrying"),
  /** A backend skipped a regrade for a reason outside the allowlist: a failure that retries. */
  PROPAGATION_UNEXPECTED_SKIP("propagation.unexpected_skip"),
  /** A propagation exhausted its attempts; operators alert on this kind. */
  PROPAGATION_DEAD_LETTERED("propagation.dead_lettered"),
  /** A propagation whose kind this worker has no handler for exhausted its attempts. */
  PROPAGATION_UNKNOWN_KIND_DEAD_LETTERED("propagation.unknown_kind_dead_lettered"),
  /** A resource passed its expiry; its infrastructure was torn down first. */
  RESOURCE_EXPIRED("resource.expired"),
  /** A resource stuck in pending was found alive and activated. */
  RESOURCE_RECONCILE_RECOVERED("resource.reconcile_recovered"),
  /** A resource stuck in pending was torn down and marked failed. */
  RESOURCE_RECONCILE_ABANDONED("resource.reconcile_abandoned"),
  /** A resource's connection cap differed from its plan and was regraded. */
  ENTITLEMENT_DRIFT_CORRECTED("entitlement.drift_corrected"),
  /** A resource went over its storage or memory limit: its writes were stopped. */
  RESOURCE_WRITES_BLOCKED("resource.writes_blocked"),
  /** A resource came back under its storage or memory limit: its writes were given back. */
  RESOURCE_WRITES_RESTORED("resource.writes_restored"),
  /**
   * A cache held more than its plan while the shared server was short of room: the excess was
   * deleted so other tenants could write again.
   */
  RESOURCE_EXCESS_SHED("resource.excess_shed"),
  /** A resource held more connections than its plan allows: the newest were closed. */
  RESOURCE_CONNECTIONS_CLOSED("resource.connections_closed"),
  /** An assigned pool item whose resource no longer exists was torn down (cluster-scoped). */
  POOL_ORPHAN_REAPED("pool.orphan_reaped"),
  /**
   * The orphan sweep found infrastructure no live row names (cluster-scoped: no team). Written for
   * every candidate, before anything is reaped, and the only row when the destructive arm is off.
   */
  ORPHAN_CANDIDATE("orphan.candidate"),
  /** A receiver's owner chose whether secret headers are stored as sent. */
  WEBHOOK_SETTINGS_CHANGED("webhook.settings_changed"),
  /** The chokepoint was asked to tear something down; written before it acts. */
  DEPROVISION_REQUESTED("deprovision.requested"),
  DEPROVISION_DROPPED("deprovision.dropped"),
  DEPROVISION_REFUSED("deprovision.refused"),
  DEPROVISION_FAILED("deprovision.failed"),
  /** A stack was created; its objects are applied after the answer. */
  STACK_CREATED("stack.created"),
  /** A stack's persisted env changed (keys only, never values). */
  STACK_ENV_UPDATED("stack.env.updated"),
  /** A stack was applied again with its persisted env. */
  STACK_REDEPLOYED("stack.redeployed");

  private final String wire;

  AuditKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
