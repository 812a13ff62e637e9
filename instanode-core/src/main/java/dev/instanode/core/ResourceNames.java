package dev.instanode.core;

import java.util.regex.Pattern;

/** Names and input rules shared by the HTTP surface and the backends. */
public final class ResourceNames {
  public static final String DATABASE_PREFIX = "db_";
  public static final String ROLE_PREFIX = "usr_";
  public static final String DEFAULT_ENV = "development";

  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9 _-]*$");
  private static final Pattern ENV = Pattern.compile("^[a-z0-9-]{1,32}$");
  private static final int NAME_MAX = 64;

  private ResourceNames() {}

  /** The database a postgres resource lives in: {@code db_<token>}. */
  public static String databaseName(String namingToken) {
    return DATABASE_PREFIX + namingToken;
  }

  /** The role (or Redis ACL user) a resource's credentials belong to: {@code usr_<token>}. */
  public static String roleName(String namingToken) {
    return ROLE_PREFIX + namingToken;
  }

  public static boolean isValidName(String name) {
    return name != null
        && name.codePointCount(0, name.length()) <= NAME_MAX
        && NAME.matcher(name).matches();
  }

  public static boolean isValidEnv(String env) {
    return env != null && ENV.matcher(env).matches();
  }
}
