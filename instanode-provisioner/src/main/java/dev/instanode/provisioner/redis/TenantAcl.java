package dev.instanode.provisioner.redis;

import dev.instanode.core.crypto.Sha256;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The ACL rules of a tenant user on the shared Redis: what a normal application needs, confined to
 * the tenant's key and channel prefix, in database 0, with nothing that reads or changes the server
 * or other tenants, and no scripting (a script that never returns blocks every tenant with BUSY,
 * and only SCRIPT KILL, which no tenant may run, ends it). Over its memory limit a tenant keeps
 * {@link #READ_AND_DELETE} only.
 *
 * <p>Order matters: Redis applies the rules left to right, so the denials come after the categories
 * they cut into.
 */
final class TenantAcl {
  /** Data commands, confined by the key pattern; categories as of Redis 6.2. */
  static final List<String> ALLOWED =
      List.of(
          "+@read",
          "+@write",
          "+@string",
          "+@hash",
          "+@list",
          "+@set",
          "+@sortedset",
          "+@stream",
          "+@hyperloglog",
          "+@geo",
          "+@pubsub",
          "+@transaction",
          // AUTH, HELLO, PING, ECHO, RESET, COMMAND. (SELECT joined @connection in Redis 7.)
          "+@connection");

  static final List<String> DENIED =
      List.of(
          // The server's own controls. -@dangerous also takes INFO, ROLE, SORT (whose BY/GET
          // patterns reach keys outside the key pattern on 6.2), RESTORE, MIGRATE and CLIENT.
          "-@admin",
          "-@dangerous",
          // Already in the categories above; named so a recategorisation cannot reopen them.
          "-keys",
          "-flushall",
          "-flushdb",
          "-config",
          "-debug",
          "-monitor",
          "-acl",
          // No key argument, so the key pattern does not apply: SCAN and RANDOMKEY would list
          // other tenants' key names, which carry their tokens; DBSIZE and PUBSUB CHANNELS/NUMSUB
          // count or name what other tenants have. A tenant knows its own keys by prefix.
          "-scan",
          "-randomkey",
          "-dbsize",
          "-pubsub",
          // Keep every key in database 0, the only one drop and storage measurement sweep.
          "-select",
          "-move",
          "-copy",
          "-swapdb",
          // EVAL and friends, SCRIPT (FLUSH/KILL reach other tenants' scripts).
          "-@scripting",
          // Server-wide state: MEMORY STATS/DOCTOR/PURGE, CLIENT LIST/KILL/TRACKING (Redis 7 puts
          // most of CLIENT in @connection).
          "-memory",
          "-client",
          "+client|setname",
          "+client|getname",
          "+client|id",
          // Harmless (clients use it for a clock shared with the server); in no category we grant.
          "+time");

  /**
   * What a tenant over its memory limit keeps: reads, and the commands that free memory, so it can
   * get back under. Every command listed exists in Redis 6.2.
   */
  static final List<String> READ_AND_DELETE =
      List.of(
          "+@read",
          "+@connection",
          "+@transaction",
          "+@pubsub",
          "+del",
          "+unlink",
          "+getdel",
          "+hdel",
          "+lrem",
          "+lpop",
          "+rpop",
          "+ltrim",
          "+srem",
          "+spop",
          "+zrem",
          "+zpopmin",
          "+zpopmax",
          "+zremrangebyscore",
          "+zremrangebyrank",
          "+zremrangebylex",
          "+xdel",
          "+xtrim",
          "+expire",
          "+pexpire",
          "+expireat",
          "+pexpireat");

  /**
   * Denied where the server has them (Redis 7+). ACL SETUSER rejects a command name the server does
   * not know, so these cannot be listed unconditionally while 6.2 is supported. FUNCTION
   * FLUSH/DELETE/LOAD are in @write and the function library is shared by every user.
   */
  static final List<String> DENIED_WHERE_PRESENT = List.of("function", "fcall", "fcall_ro");

  private TenantAcl() {}

  /**
   * The arguments of {@code ACL SETUSER <user> ...}. The password goes over the wire only as its
   * SHA-256 ({@code #<hash>}), so no Redis error reply, slow log or client debug log can echo it.
   *
   * @param presentCommands which of {@link #DENIED_WHERE_PRESENT} this server knows
   */
  static List<String> rules(TenantKeyspace tenant, String password, Set<String> presentCommands) {
    List<String> rules = new ArrayList<>();
    // reset first: a re-run for the same user ends with exactly these rules, nothing inherited.
    rules.add("reset");
    rules.add("on");
    // Redis takes the password's SHA-256 after '#', in lower-case hex only (as Sha256 writes it).
    rules.add("#" + Sha256.hex(password));
    rules.add("~" + tenant.pattern());
    rules.add("resetchannels");
    rules.add("&" + tenant.pattern());
    rules.addAll(commandRules(true, presentCommands));
    return List.copyOf(rules);
  }

  /**
   * The arguments of {@code ACL SETUSER <binding user> ...}: the tenant's key and channel patterns
   * and {@code commands}, the tenant's command rules exactly as ACL LIST writes them (from {@code
   * -@all} on), with a password of the binding's own.
   */
  static List<String> bindingRules(TenantKeyspace tenant, String password, String commands) {
    // Without the leading -@all, rules would add to the defaults of a reset user, not replace them.
    if (!commands.startsWith("-@all")) {
      throw new IllegalStateException("the tenant's command rules do not start with -@all");
    }
    List<String> rules = new ArrayList<>();
    rules.add("reset");
    rules.add("on");
    rules.add("#" + Sha256.hex(password));
    rules.add("~" + tenant.pattern());
    rules.add("resetchannels");
    rules.add("&" + tenant.pattern());
    rules.addAll(List.of(commands.trim().split(" +")));
    return List.copyOf(rules);
  }

  /**
   * The arguments after {@code ACL SETUSER <user>} that replace the user's command rules and keep
   * its passwords and key and channel patterns.
   *
   * @param writable false for a tenant over its memory limit: {@link #READ_AND_DELETE} only
   */
  static List<String> commandRules(boolean writable, Set<String> presentCommands) {
    List<String> rules = new ArrayList<>();
    rules.add("-@all");
    rules.addAll(writable ? ALLOWED : READ_AND_DELETE);
    rules.addAll(DENIED);
    for (String command : DENIED_WHERE_PRESENT) {
      if (presentCommands.contains(command)) {
        rules.add("-" + command);
      }
    }
    return List.copyOf(rules);
  }

  /**
   * The arguments after {@code ACL SETUSER <user>} that replace every password of an existing user
   * with {@code password} and leave every other rule as it is. Hashed for the same reason as in
   * {@link #rules}.
   */
  static List<String> passwordRules(String password) {
    return List.of("resetpass", "#" + Sha256.hex(password));
  }
}
