package dev.instanode.cluster;

/**
 * The cluster could not be read or written: unreachable, refused, or answering with an error. Never
 * a verdict on the stack: callers keep the row as it is and answer 503.
 */
public final class ClusterUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ClusterUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
