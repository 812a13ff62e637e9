package dev.instanode.core;

/** Every kind of audit row instanode writes. The wire string is stored in audit_log.kind. */
public enum AuditKind {
  PROVISION("provision"),
  PROVISION_FAILED("provision.failed");

  private final String wire;

  AuditKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
