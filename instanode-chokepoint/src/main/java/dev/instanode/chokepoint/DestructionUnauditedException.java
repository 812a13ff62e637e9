package dev.instanode.chokepoint;

/** The audit row could not be written before acting, so nothing was destroyed; retry later. */
public final class DestructionUnauditedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DestructionUnauditedException(Throwable cause) {
    super("drop not audited, so not done", cause);
  }
}
