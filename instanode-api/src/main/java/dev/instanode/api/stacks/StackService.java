package dev.instanode.api.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.Pages;
import dev.instanode.api.vault.VaultService;
import dev.instanode.api.wire.StackCreatedReply;
import dev.instanode.api.wire.StackDeletedReply;
import dev.instanode.api.wire.StackEnvReply;
import dev.instanode.api.wire.StackListReply;
import dev.instanode.api.wire.StackReply;
import dev.instanode.cluster.ClusterUnavailableException;
import dev.instanode.cluster.StackHealth;
import dev.instanode.core.ApiException;
import dev.instanode.core.AuditKind;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.RequestId;
import dev.instanode.core.TeamId;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.core.names.StackSlug;
import dev.instanode.core.stack.EnvMerge;
import dev.instanode.core.stack.StackStatus;
import dev.instanode.core.stack.VaultRefs;
import dev.instanode.stacks.StackTeardown;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.LockTimeouts;
import dev.instanode.store.StackRecord;
import dev.instanode.store.StackRepository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Reading and changing existing stacks: their live status, the team's list, the env merge of seed
 * 003, redeploy, delete (teardown before bookkeeping) and logs. Creation is {@link
 * StackCreation}'s.
 */
public final class StackService {
  /** What a lock held by another change makes a caller wait before trying again. */
  static final int BUSY_RETRY_SECONDS = 2;

  private final Optional<StackParts> parts;
  private final StackRepository stacks;
  private final StackAccess access;
  private final VaultService vault;
  private final AesGcm aes;
  private final AuditLog audit;

  public StackService(
      Optional<StackParts> parts,
      StackRepository stacks,
      StackAccess access,
      VaultService vault,
      AesGcm aes,
      AuditLog audit) {
    this.parts = requireNonNull(parts, "parts is null");
    this.stacks = requireNonNull(stacks, "stacks is null");
    this.access = requireNonNull(access, "access is null");
    this.vault = requireNonNull(vault, "vault is null");
    this.aes = requireNonNull(aes, "aes is null");
    this.audit = requireNonNull(audit, "audit is null");
  }

  /** The cluster's parts, or the 503 every stack route answers without one. */
  static StackParts required(Optional<StackParts> parts) {
    return parts.orElseThrow(() ->
        new ApiException(
            ErrorCode.STACKS_UNAVAILABLE,
            "Stacks need a Kubernetes cluster, and this instanode runs without one"
                + " (KUBERNETES_MODE=off)."));
  }

  /** The stack as the live cluster shows it now; the row is updated when they differ. */
  public StackReply get(Caller caller, String rawSlug) {
    StackParts p = required(parts);
    StackRecord row = visible(caller, StackAccess.slug(rawSlug));
    StackHealth.Verdict verdict;
    try {
      verdict = p.observer().observe(row);
    } catch (ClusterUnavailableException e) {
      throw clusterUnavailable(e);
    }
    String status =
        row.status() == StackStatus.DELETING
            ? StackStatus.DELETING.wireName()
            : verdict.state().wireName();
    List<StackReply.Service> services =
        row.services().stream()
            .map(s -> {
              Optional<StackHealth.Service> live =
                  verdict.services().stream().filter(v -> v.name().equals(s.name())).findFirst();
              return new StackReply.Service(
                  s.name(),
                  live.map(v -> v.state().wireName()).orElse(s.status()),
                  live.flatMap(StackHealth.Service::reason),
                  s.expose(),
                  s.port(),
                  s.expose()
                      ? Optional.of("https://" + s.name() + "-" + row.slug() + "." + p.domain())
                      : Optional.empty());
            })
            .toList();
    return new StackReply(
        true,
        row.slug(),
        row.name(),
        status,
        row.tier().wireName(),
        row.env(),
        p.clusterName(),
        services,
        row.expiresAt());
  }

  /** One page of the team's stacks, newest first, with the status last recorded. */
  public StackListReply list(TeamId team, Optional<String> limit, Optional<String> cursor) {
    StackParts p = required(parts);
    int max = Pages.limit(limit);
    List<StackRecord> rows = stacks.pageForTeam(team, Pages.after(cursor), max + 1);
    boolean more = rows.size() > max;
    List<StackRecord> page = more ? rows.subList(0, max) : rows;
    return new StackListReply(
        true,
        p.clusterName(),
        page.stream()
            .map(r ->
                new StackListReply.Item(
                    r.slug(),
                    r.name(),
                    r.status().wireName(),
                    r.tier().wireName(),
                    r.namespace(),
                    r.env(),
                    r.createdAt()))
            .toList(),
        more
            ? Optional.of(Pages.encode(page.getLast().createdAt(), page.getLast().id().value()))
            : Optional.empty());
  }

  /**
   * Seed 003: merges {@code patch} into the stack's persisted env in one locked transaction. A
   * non-empty value sets its key, an empty one deletes it. The stack runs on with its old env until
   * redeployed.
   */
  public StackEnvReply patchEnv(
      Caller caller,
      String rawSlug,
      Map<String, String> patch,
      Optional<String> upgradeHeader,
      RequestId requestId) {
    StackParts p = required(parts);
    StackSlug slug = StackAccess.slug(rawSlug);
    Optional<TeamId> owner = access.changer(caller, slug, upgradeHeader);
    EnvMerge.invalidKey(patch)
        .ifPresent(key -> {
          throw new ApiException(
              ErrorCode.INVALID_ENV_KEY, "env." + key + ": not a valid environment variable name.");
        });
    if (!VaultRefs.referenced(List.of(patch)).isEmpty()) {
      StackRecord row =
          stacks
              .findBySlug(slug)
              .filter(r -> r.team().equals(owner))
              .orElseThrow(StackAccess::notFound);
      vault.checkRefs(caller, row.env(), List.of(patch));
    }
    StackRepository.EnvOutcome outcome;
    try {
      outcome = stacks.mergeEnv(slug, owner, patch, aes);
    } catch (RuntimeException e) {
      throw busyOr(e);
    }
    return switch (outcome) {
      case StackRepository.EnvOutcome.NotFound n -> throw StackAccess.notFound();
      case StackRepository.EnvOutcome.Deleting d -> throw deleting();
      case StackRepository.EnvOutcome.TooLarge t ->
          throw new ApiException(
              ErrorCode.ENV_TOO_LARGE,
              "The stack's env would be over "
                  + EnvMerge.MAX_BYTES / 1024
                  + " KiB; nothing was"
                  + " changed.");
      case StackRepository.EnvOutcome.Merged m -> {
        EnvMerge.Result r = m.result();
        List<String> set =
            patch.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        List<String> removed =
            patch.entrySet().stream()
                .filter(e -> e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        audit.record(
            stackEvent(
                m.team(),
                AuditKind.STACK_ENV_UPDATED,
                slug,
                "Env of stack "
                    + slug
                    + " changed: "
                    + set.size()
                    + " set, "
                    + r.keysDeleted()
                    + " deleted",
                Map.of(
                    "keys_set",
                    set,
                    "keys_deleted",
                    r.keysDeleted(),
                    "keys_removed",
                    removed,
                    "total_after",
                    r.env().size()),
                requestId));
        Map<String, String> redacted = new LinkedHashMap<>();
        r.env().keySet().forEach(k -> redacted.put(k, "********"));
        yield new StackEnvReply(
            true,
            slug,
            p.clusterName(),
            redacted,
            r.keysSet(),
            r.keysDeleted(),
            "Env vars persisted. Call POST /stacks/" + slug + "/redeploy to apply.");
      }
    };
  }

  /** Applies the stack again with its persisted env; pods whose env changed are replaced. */
  public StackCreatedReply redeploy(
      Caller caller, String rawSlug, Optional<String> upgradeHeader, RequestId requestId) {
    StackParts p = required(parts);
    StackSlug slug = StackAccess.slug(rawSlug);
    Optional<TeamId> owner = access.changer(caller, slug, upgradeHeader);
    StackRepository.RedeployOutcome outcome;
    try {
      outcome = stacks.markRedeploying(slug, owner);
    } catch (RuntimeException e) {
      throw busyOr(e);
    }
    StackRecord row =
        switch (outcome) {
          case StackRepository.RedeployOutcome.NotFound n -> throw StackAccess.notFound();
          case StackRepository.RedeployOutcome.Deleting d -> throw deleting();
          case StackRepository.RedeployOutcome.Ready ready -> ready.stack();
        };
    p.applier().applyLater(row);
    audit.record(
        stackEvent(
            row.team(),
            AuditKind.STACK_REDEPLOYED,
            slug,
            "Stack " + slug + " applied again with its persisted env",
            Map.of("services", row.services().size()),
            requestId));
    return new StackCreatedReply(
        true,
        slug,
        StackStatus.DEPLOYING.wireName(),
        row.tier().wireName(),
        row.env(),
        Optional.empty(),
        p.clusterName(),
        "Redeploying with the persisted env; GET /stacks/" + slug + " shows its status.",
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /**
   * Teardown before bookkeeping: the row becomes deleting, the namespace goes (through the audited
   * chokepoint), then the row. A cluster that does not answer leaves the row deleting for the
   * reconciler and says so (503); nothing reports a deletion that did not happen.
   */
  public StackDeletedReply delete(
      Caller caller, String rawSlug, Optional<String> upgradeHeader, RequestId requestId) {
    StackParts p = required(parts);
    StackSlug slug = StackAccess.slug(rawSlug);
    Optional<TeamId> owner = access.changer(caller, slug, upgradeHeader);
    StackTeardown.Outcome outcome;
    try {
      outcome = p.teardown().delete(slug, owner, "deleted by its owner", requestId);
    } catch (RuntimeException e) {
      throw busyOr(e);
    }
    return switch (outcome) {
      case StackTeardown.Outcome.Deleted d ->
          new StackDeletedReply(
              true, slug, p.clusterName(), "Stack " + slug + " and its namespace were deleted.");
      case StackTeardown.Outcome.NotFound n -> throw StackAccess.notFound();
      case StackTeardown.Outcome.Retry r ->
          throw new ApiException(
              ErrorCode.CLUSTER_UNAVAILABLE,
              "The stack is being deleted, but the cluster did not answer; the deletion finishes"
                  + " on its own once it does.");
      case StackTeardown.Outcome.Refused r ->
          throw new ApiException(
              ErrorCode.INTERNAL_ERROR,
              "The stack's namespace was refused for deletion and kept; an operator has been"
                  + " told.");
    };
  }

  /** A stack the caller may read, or 404. */
  StackRecord visible(Caller caller, StackSlug slug) {
    return stacks
        .findBySlug(slug)
        .filter(row -> row.team().equals(StackAccess.scope(caller)))
        .orElseThrow(StackAccess::notFound);
  }

  /**
   * Follows the newest pod of {@code service}: each line to {@code lines}, then {@code ended}.
   * Empty when the service has no pod.
   */
  public Optional<AutoCloseable> followLogs(
      Caller caller,
      String rawSlug,
      String service,
      Optional<String> upgradeHeader,
      Consumer<String> lines,
      Runnable ended) {
    StackParts p = required(parts);
    StackRecord row = withService(caller, rawSlug, service, upgradeHeader);
    try {
      return p.cluster().followLogs(row.namespace(), service, lines, ended);
    } catch (ClusterUnavailableException e) {
      throw clusterUnavailable(e);
    }
  }

  /** Checks, before a stream starts, that the logs would be served; see {@link #followLogs}. */
  public void requireLogs(
      Caller caller, String rawSlug, String service, Optional<String> upgradeHeader) {
    required(parts);
    withService(caller, rawSlug, service, upgradeHeader);
  }

  /**
   * A stack whose logs the caller may follow, running {@code service}, or 404. Logs commonly print
   * the env a service was given (its resources' URLs), so an anonymous stack's take what a change
   * takes, its {@code upgrade_jwt}: the slug alone is printed in every exposed service's hostname.
   */
  private StackRecord withService(
      Caller caller, String rawSlug, String service, Optional<String> upgradeHeader) {
    StackSlug slug = StackAccess.slug(rawSlug);
    Optional<TeamId> owner = access.changer(caller, slug, upgradeHeader);
    StackRecord row =
        stacks
            .findBySlug(slug)
            .filter(r -> r.team().equals(owner))
            .orElseThrow(StackAccess::notFound);
    if (row.services().stream().noneMatch(s -> s.name().equals(service))) {
      throw new ApiException(ErrorCode.NOT_FOUND, "The stack has no service " + service + ".");
    }
    return row;
  }

  static ApiException clusterUnavailable(ClusterUnavailableException e) {
    return new ApiException(
        ErrorCode.CLUSTER_UNAVAILABLE,
        "The Kubernetes cluster did not answer; nothing was changed.",
        e);
  }

  private static ApiException deleting() {
    return new ApiException(ErrorCode.STACK_DELETING, "The stack is being deleted.");
  }

  /** A lock wait that ran out is 503 stack_busy; anything else goes on up as it is. */
  private static RuntimeException busyOr(RuntimeException e) {
    if (LockTimeouts.isTimeout(e)) {
      return new ApiException(
          ErrorCode.STACK_BUSY,
          "Another change to this stack holds it; nothing was changed.",
          OptionalInt.of(BUSY_RETRY_SECONDS),
          e);
    }
    return e;
  }

  static AuditEvent stackEvent(
      Optional<TeamId> team,
      AuditKind kind,
      StackSlug slug,
      String summary,
      Map<String, Object> details,
      RequestId requestId) {
    Map<String, Object> metadata = new LinkedHashMap<>(details);
    metadata.put("stack_id", slug.value());
    return new AuditEvent(
        team,
        team.isPresent() ? AuditEvent.Actor.USER : AuditEvent.Actor.AGENT,
        kind,
        Optional.of("stack"),
        Optional.empty(),
        summary,
        metadata,
        Optional.of(requestId.value()));
  }
}
