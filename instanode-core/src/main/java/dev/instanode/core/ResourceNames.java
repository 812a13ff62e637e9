package dev.instanode.core;

import java.util.regex.Pattern;

/** Input rules for what callers name their resources. Infrastructure names: {@code core.names}. */
public final class ResourceNames {
  public static final String DEFAULT_ENV = "development";

  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9 _-]*$");
  private static final Pattern ENV = Pattern.compile("^[a-z0-9-]{1,32}$");
  private static final int NAME_MAX = 64;

  private ResourceNames() {}

  public static boolean isValidName(String name) {
    return name != null
        && name.codePointCount(0, name.length()) <= NAME_MAX
        && NAME.matcher(name).matches();
  }

  public static boolean isValidEnv(String env) {
    return env != null && ENV.matcher(env).matches();
  }
}
