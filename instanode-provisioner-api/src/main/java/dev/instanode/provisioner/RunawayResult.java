package dev.instanode.provisioner;

/**
 * @param statementsCancelled statements that ran past their tenant's statement timeout
 * @param sessionsEnded sessions whose transaction sat idle past their tenant's limit
 */
public record RunawayResult(int statementsCancelled, int sessionsEnded) {
  public static final RunawayResult NONE = new RunawayResult(0, 0);
}
