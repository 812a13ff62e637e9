package dev.instanode.api.vault;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.wire.DeletedReply;
import dev.instanode.api.wire.VaultEntryReply;
import dev.instanode.api.wire.VaultListReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plan;
import dev.instanode.core.Plans;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceNames;
import dev.instanode.core.Tier;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.stack.VaultRefs;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.VaultRepository;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;

/**
 * A team's secrets: sealed with AES-256-GCM, every version kept, each read and write audited
 * ({@code vault.read}, {@code vault.write}, never a value). How many keys and which envs come from
 * the plan's {@code vault}. Stacks refer to them as {@code vault://KEY}.
 */
public final class VaultService {
  static final int MAX_VALUE_BYTES = 32 * 1024;

  private final Jdbi jdbi;
  private final VaultRepository vault;
  private final Plans plans;
  private final AesGcm aes;
  private final AuditLog audit;
  private final String upgradeUrl;

  public VaultService(
      Jdbi jdbi,
      VaultRepository vault,
      Plans plans,
      AesGcm aes,
      AuditLog audit,
      String upgradeUrl) {
    this.jdbi = jdbi;
    this.vault = vault;
    this.plans = plans;
    this.aes = aes;
    this.audit = audit;
    this.upgradeUrl = upgradeUrl;
  }

  public VaultEntryReply put(
      Caller.Member member, String env, String key, Optional<String> value, RequestId requestId) {
    checkPath(env, key);
    String plain =
        value.orElseThrow(
            () -> new ApiException(ErrorCode.INVALID_VAULT_KEY, "A string \"value\" is required."));
    if (plain.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
      throw new ApiException(ErrorCode.INVALID_VAULT_KEY, "A vault value is at most 32 KiB.");
    }
    String sealed = aes.encrypt(plain);
    VaultRepository.Version stored =
        jdbi.inTransaction(h -> {
          Tier tier =
              IdentityRepository.lockPlan(h, member.teamId())
                  .orElseThrow(
                      () -> new ApiException(ErrorCode.UNAUTHORIZED, "The team no longer exists."));
          Plan.VaultLimits limits = plans.of(tier).vault();
          if (limits.entries() == 0 || !limits.allows(env)) {
            throw ApiException.withUpgradeUrl(
                ErrorCode.PLAN_UPGRADE_REQUIRED,
                limits.entries() == 0
                    ? "The vault is not part of the " + tier.wireName() + " plan."
                    : "The "
                        + tier.wireName()
                        + " plan keeps vault secrets only in "
                        + limits.envs()
                        + ".",
                upgradeUrl);
          }
          if (limits.entries() > 0
              && !VaultRepository.isLive(h, member.teamId(), env, key)
              && VaultRepository.liveKeys(h, member.teamId()) >= limits.entries()) {
            throw ApiException.withUpgradeUrl(
                ErrorCode.VAULT_LIMIT_REACHED,
                "The team keeps " + limits.entries() + " vault entries, its plan's most.",
                upgradeUrl);
          }
          VaultRepository.Version version =
              VaultRepository.put(h, member.teamId(), env, key, sealed, member.userId());
          // The audit row commits with the write, or neither does.
          AuditLog.writeIn(
              h,
              event(
                  member,
                  AuditKind.VAULT_WRITE,
                  env,
                  key,
                  Map.of("version", version.version()),
                  requestId));
          return version;
        });
    return new VaultEntryReply(
        true, env, key, stored.version(), Optional.empty(), stored.createdAt());
  }

  public VaultEntryReply get(
      Caller.Member member,
      String env,
      String key,
      Optional<String> rawVersion,
      RequestId requestId) {
    checkPath(env, key);
    Optional<Integer> version =
        rawVersion
            .filter(v -> !v.isBlank())
            .map(v -> {
              try {
                int n = Integer.parseInt(v);
                if (n > 0) {
                  return n;
                }
              } catch (NumberFormatException e) {
                // falls through to the error below
              }
              throw new ApiException(
                  ErrorCode.INVALID_QUERY, "version must be a whole number from 1.");
            });
    VaultRepository.Version found =
        vault
            .get(member.teamId(), env, key, version)
            .orElseThrow(() ->
                new ApiException(
                    ErrorCode.NOT_FOUND,
                    version.isPresent()
                        ? "No version " + version.get() + " of " + key + " in " + env + "."
                        : "No " + key + " in the " + env + " vault."));
    // No value leaves without its audit row: a read that cannot be recorded is refused.
    audit.writeOrThrow(
        event(
            member, AuditKind.VAULT_READ, env, key, Map.of("version", found.version()), requestId));
    return new VaultEntryReply(
        true,
        env,
        key,
        found.version(),
        Optional.of(aes.decrypt(found.sealed())),
        found.createdAt());
  }

  public DeletedReply delete(Caller.Member member, String env, String key, RequestId requestId) {
    checkPath(env, key);
    int versions = vault.delete(member.teamId(), env, key);
    if (versions == 0) {
      throw new ApiException(ErrorCode.NOT_FOUND, "No " + key + " in the " + env + " vault.");
    }
    audit.record(
        event(
            member,
            AuditKind.VAULT_WRITE,
            env,
            key,
            Map.of("deleted", true, "versions", versions),
            requestId));
    return new DeletedReply(true, key + " deleted from the " + env + " vault, all versions.");
  }

  public VaultListReply list(Caller.Member member, String env) {
    checkEnv(env);
    return new VaultListReply(
        true,
        env,
        vault.list(member.teamId(), env).stream()
            .map(l -> new VaultListReply.Item(l.key(), l.version(), l.versions(), l.updatedAt()))
            .toList());
  }

  /**
   * Refuses a stack env whose {@code vault://} references cannot be met now: an anonymous caller
   * has no vault (403 {@code vault_requires_auth}); a key the team's vault lacks in the stack's env
   * is 400 {@code vault_ref_failed}. The references stay in the stack's env and are read again at
   * each apply, so a new version reaches the next deploy.
   */
  public void checkRefs(Caller caller, String env, Collection<Map<String, String>> envs) {
    Set<String> keys = VaultRefs.referenced(envs);
    if (keys.isEmpty()) {
      return;
    }
    if (!(caller instanceof Caller.Member member)) {
      throw new ApiException(
          ErrorCode.VAULT_REQUIRES_AUTH, "vault:// references need a team's vault.");
    }
    Set<String> missing = new TreeSet<>(keys);
    missing.removeAll(vault.newest(member.teamId(), env, keys).keySet());
    if (!missing.isEmpty()) {
      throw new ApiException(
          ErrorCode.VAULT_REF_FAILED,
          "The " + env + " vault holds no " + String.join(", ", missing) + ".");
    }
  }

  private static void checkPath(String env, String key) {
    checkEnv(env);
    if (!VaultRefs.isKey(key)) {
      throw new ApiException(
          ErrorCode.INVALID_VAULT_KEY,
          "A vault key is an env var name: upper-case letters, digits and '_', 1-128 long.");
    }
  }

  private static void checkEnv(String env) {
    if (!ResourceNames.isValidEnv(env)) {
      throw new ApiException(
          ErrorCode.INVALID_ENV,
          "The env must be 1-32 characters of lower-case letters, digits or '-'.");
    }
  }

  private static AuditEvent event(
      Caller.Member member,
      AuditKind kind,
      String env,
      String key,
      Map<String, Object> extra,
      RequestId requestId) {
    Map<String, Object> metadata = new LinkedHashMap<>(extra);
    metadata.put("env", env);
    metadata.put("key", key);
    metadata.put("by", member.via());
    member.userId().ifPresent(u -> metadata.put("by_user_id", u.toString()));
    return new AuditEvent(
        Optional.of(member.teamId()),
        AuditEvent.Actor.USER,
        kind,
        Optional.empty(),
        Optional.empty(),
        (kind == AuditKind.VAULT_READ ? "Vault read: " : "Vault write: ") + env + "/" + key,
        metadata,
        Optional.of(requestId.value()));
  }
}
