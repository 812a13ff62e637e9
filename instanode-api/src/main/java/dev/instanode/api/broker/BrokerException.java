package dev.instanode.api.broker;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A refusal in the Open Service Broker API's terms: the status, the spec's error code where one
 * applies, and a description for the platform's operator. Bodies of 404, 409 and 410 are {@code
 * {}}, as the spec has them.
 */
public final class BrokerException extends RuntimeException {
  private final int status;
  private final Optional<String> error;

  private BrokerException(int status, Optional<String> error, String description) {
    super(requireNonNull(description, "description is null"));
    this.status = status;
    this.error = error;
  }

  public static BrokerException badRequest(String description) {
    return new BrokerException(400, Optional.empty(), description);
  }

  public static BrokerException unauthorized(String description) {
    return new BrokerException(401, Optional.empty(), description);
  }

  /** The id is taken by a request with other attributes. */
  public static BrokerException conflict(String description) {
    return new BrokerException(409, Optional.empty(), description);
  }

  /** Nothing by that id can be fetched: it does not exist, or it is still being made. */
  public static BrokerException notFound(String description) {
    return new BrokerException(404, Optional.empty(), description);
  }

  /** Nothing by that id exists (any more): a deprovision or unbind the platform counts as done. */
  public static BrokerException gone(String description) {
    return new BrokerException(410, Optional.empty(), description);
  }

  public static BrokerException versionRequired(String description) {
    return new BrokerException(412, Optional.empty(), description);
  }

  public static BrokerException asyncRequired(String description) {
    return new BrokerException(422, Optional.of("AsyncRequired"), description);
  }

  public static BrokerException concurrency(String description) {
    return new BrokerException(422, Optional.of("ConcurrencyError"), description);
  }

  /** A request that is well formed but cannot apply to the instance as it is. */
  public static BrokerException unprocessable(String description) {
    return new BrokerException(422, Optional.empty(), description);
  }

  public static BrokerException failed(String description, Throwable cause) {
    BrokerException e = new BrokerException(500, Optional.empty(), description);
    e.initCause(cause);
    return e;
  }

  public static BrokerException unavailable(String description, Throwable cause) {
    BrokerException e = new BrokerException(503, Optional.empty(), description);
    e.initCause(cause);
    return e;
  }

  public int status() {
    return status;
  }

  public Optional<String> error() {
    return error;
  }

  /** 404, 409 and 410 answer {@code {}}; the rest carry the spec's error body. */
  public boolean emptyBody() {
    return status == 404 || status == 409 || status == 410;
  }
}
