package dev.instanode.api.audit;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.http.Pages;
import dev.instanode.api.wire.AuditReply;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.Plans;
import dev.instanode.store.AuditLog;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.TeamRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.SequenceWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvSchema;

/**
 * A team's audit trail, for plans that include it ({@code audit} in plans.yaml; else 402 {@code
 * upgrade_required}): a keyset-paged JSON list, or the whole filtered trail as CSV, streamed to the
 * client a keyset page at a time.
 */
public final class AuditTrail {
  private static final Set<String> ACTORS = Set.of("agent", "user", "system", "cli");
  private static final CsvMapper CSV = CsvMapper.builder().build();
  private static final CsvSchema COLUMNS =
      CsvSchema.builder()
          .addColumn("created_at")
          .addColumn("kind")
          .addColumn("actor")
          .addColumn("resource_type")
          .addColumn("resource")
          .addColumn("summary")
          .addColumn("request_id")
          .addColumn("metadata")
          .addColumn("id")
          .setUseHeader(true)
          .build();

  private final AuditLog audit;
  private final IdentityRepository identities;
  private final Plans plans;
  private final JsonMapper json;
  private final String upgradeUrl;

  public AuditTrail(
      AuditLog audit,
      IdentityRepository identities,
      Plans plans,
      JsonMapper json,
      String upgradeUrl) {
    this.audit = audit;
    this.identities = identities;
    this.plans = plans;
    this.json = json;
    this.upgradeUrl = upgradeUrl;
  }

  /** Query parameters as sent; each narrows the trail when present and not blank. */
  public record Query(
      Optional<String> kind,
      Optional<String> actor,
      Optional<String> resource,
      Optional<String> since) {}

  public AuditReply page(
      Caller.Member member, Query query, Optional<String> cursor, Optional<String> limit) {
    AuditLog.Filter filter = filter(member, query);
    Pages.Page<AuditLog.Entry> page =
        Pages.read(
            cursor,
            limit,
            (after, n) -> audit.page(filter, after, n),
            AuditLog.Entry::createdAt,
            AuditLog.Entry::id);
    return new AuditReply(
        true,
        page.items().stream()
            .map(e ->
                new AuditReply.Item(
                    e.id().toString(),
                    e.kind(),
                    e.actor(),
                    e.resourceType(),
                    e.resource(),
                    e.summary(),
                    json.readValue(e.metadata(), new TypeReference<Map<String, Object>>() {}),
                    e.requestId(),
                    e.createdAt()))
            .toList(),
        page.next());
  }

  /**
   * Checks and parses first, so a refusal is still a JSON error; then returns the writer of the
   * CSV, which streams row by row.
   */
  public CsvExport csv(Caller.Member member, Query query) {
    AuditLog.Filter filter = filter(member, query);
    return out -> {
      try (SequenceWriter rows = CSV.writer(COLUMNS).writeValues(out)) {
        audit.each(
            filter,
            e -> {
              rows.write(
                  new String[] {
                    e.createdAt().toString(),
                    e.kind(),
                    e.actor(),
                    e.resourceType().orElse(""),
                    e.resource().orElse(""),
                    cell(e.summary()),
                    e.requestId().orElse(""),
                    cell(e.metadata()),
                    e.id().toString()
                  });
            });
      }
    };
  }

  /** Writes the export to a stream. */
  @FunctionalInterface
  public interface CsvExport {
    void writeTo(OutputStream out) throws IOException, UncheckedIOException;
  }

  /**
   * A spreadsheet runs a cell that starts with =, +, -, @ or a tab as a formula: such text is
   * written after a quote mark, so an exported trail cannot run what a caller typed into a name.
   */
  static String cell(String text) {
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      return "'" + text;
    }
    return text;
  }

  private AuditLog.Filter filter(Caller.Member member, Query query) {
    TeamRecord team =
        identities
            .team(member.teamId())
            .orElseThrow(
                () -> new ApiException(ErrorCode.UNAUTHORIZED, "The team no longer exists."));
    if (!plans.of(team.planTier()).audit()) {
      throw ApiException.withUpgradeUrl(
          ErrorCode.PLAN_UPGRADE_REQUIRED,
          "The audit trail is not part of the " + team.planTier().wireName() + " plan.",
          upgradeUrl);
    }
    Optional<String> actor = present(query.actor());
    if (actor.isPresent() && !ACTORS.contains(actor.get())) {
      throw new ApiException(
          ErrorCode.INVALID_QUERY, "actor must be one of agent, user, system or cli.");
    }
    Optional<Instant> since =
        present(query.since())
            .map(raw -> {
              try {
                return Instant.parse(raw);
              } catch (DateTimeParseException e) {
                throw new ApiException(
                    ErrorCode.INVALID_QUERY,
                    "since must be an instant such as 2026-12-01T00:00:00Z.");
              }
            });
    return new AuditLog.Filter(
        member.teamId(), present(query.kind()), actor, present(query.resource()), since);
  }

  private static Optional<String> present(Optional<String> raw) {
    return raw.map(String::trim).filter(s -> !s.isEmpty());
  }
}
