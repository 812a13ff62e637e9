package dev.instanode.core.stack;

import static java.util.Objects.requireNonNull;

/**
 * A manifest that cannot run, with the field path that says where: {@code
 * services.web.env.lower_key}. The api maps {@link #code} to its error code.
 */
public final class ManifestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why, as the api reports it. */
  public enum Code {
    INVALID_MANIFEST,
    INVALID_ENV_KEY,
    BUILD_NOT_SUPPORTED
  }

  private final Code code;
  private final String path;

  public ManifestException(Code code, String path, String problem) {
    super(path + ": " + problem);
    this.code = requireNonNull(code, "code is null");
    this.path = requireNonNull(path, "path is null");
  }

  public Code code() {
    return code;
  }

  public String path() {
    return path;
  }
}
