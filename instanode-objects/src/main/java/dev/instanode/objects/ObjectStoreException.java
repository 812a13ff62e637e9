package dev.instanode.objects;

/** The bucket could not be read or changed; what was asked may or may not have happened. */
public final class ObjectStoreException extends RuntimeException {
  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
