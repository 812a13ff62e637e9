package dev.instanode.api.dashboard;

import dev.instanode.api.wire.ApiKeysReply;
import dev.instanode.api.wire.InvitationsReply;
import dev.instanode.api.wire.StackReply;
import dev.instanode.api.wire.TeamMembersReply;
import dev.instanode.api.wire.WebhookRequestsReply;
import dev.instanode.core.names.StackSlug;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What each dashboard template shows: plain values, already worded for a person. */
public final class Model {
  private Model() {}

  /**
   * What every page has around its content.
   *
   * @param who the signed-in member's address and plan, when signed in
   */
  public record Frame(
      String title,
      String csrf,
      Optional<String> who,
      Optional<String> notice,
      Optional<String> error) {
    public boolean signedIn() {
      return who.isPresent();
    }

    public Frame withError(String message) {
      return new Frame(title, csrf, who, notice, Optional.of(message));
    }
  }

  /**
   * @param sentTo the address a link was just mailed to
   */
  public record SignIn(Frame frame, Optional<String> sentTo) {}

  /** The mailed link's page: its button signs in (a scanner that fetches the link does not). */
  public record SignInLink(Frame frame, String token) {}

  public record Resources(
      Frame frame,
      List<Row> rows,
      long total,
      List<Kind> kinds,
      boolean canBuild,
      Optional<Revealed> revealed) {}

  /**
   * One resource.
   *
   * @param expiresIn the time left as the server saw it; the page's script counts it down
   */
  public record Row(
      String token,
      String kind,
      String name,
      String env,
      String tier,
      String status,
      Optional<Instant> expiresAt,
      String expiresIn,
      String usage) {}

  /** A kind the provisioning form offers. */
  public record Kind(String value, String label) {}

  /** A connection URL just revealed (or made anew by a rotation), shown once on this page. */
  public record Revealed(String token, String name, String url, boolean rotated) {}

  public record ConfirmDelete(Frame frame, String token, String name, String kind) {}

  /**
   * @param newKey a key just made, shown this once
   */
  public record Team(
      Frame frame,
      List<TeamMembersReply.Member> members,
      List<InvitationsReply.Invitation> invitations,
      List<ApiKeysReply.Item> keys,
      Optional<String> newKey,
      boolean canBuild,
      boolean canManage) {
    /** The roles an admin may give (owner only by an owner: the service says so if not). */
    public static List<String> roles() {
      return List.of("viewer", "developer", "admin", "owner");
    }
  }

  /** The claim page: what {@code jwt} would move into a new team. */
  public record Claim(Frame frame, String jwt, List<Row> items, Instant expiresAt) {}

  /** A page that only says something (the claim's next step, a refusal). */
  public record Message(Frame frame, String text) {}

  /**
   * The team's stacks.
   *
   * @param unavailable why there are none to show (no cluster), when so
   */
  public record Stacks(Frame frame, List<StackRow> rows, Optional<String> unavailable) {}

  /** One stack, with the status last recorded. */
  public record StackRow(
      StackSlug slug, String name, String status, String tier, String env, Instant createdAt) {}

  /**
   * One stack as the live cluster shows it.
   *
   * @param follow the service whose log the page follows, if one was chosen
   * @param envKeys the env's keys after a change just made (values are never shown)
   */
  public record Stack(
      Frame frame,
      StackReply stack,
      Optional<String> follow,
      Optional<List<String>> envKeys,
      boolean canBuild) {}

  /**
   * A page that asks before a change that cannot be taken back: the form posts {@code fields}
   * again, with {@code confirm=yes}.
   */
  public record Confirm(
      Frame frame,
      String text,
      String action,
      Map<String, String> fields,
      String button,
      String cancel) {}

  /**
   * A webhook receiver's requests, newest first; the page's script adds new ones as they arrive.
   */
  public record Webhook(
      Frame frame,
      String token,
      String name,
      String receiveUrl,
      List<WebhookRequestsReply.Item> items) {
    public static String body(WebhookRequestsReply.Item item) {
      return item.body()
          .orElse("(" + item.bodySize() + " bytes that are not UTF-8 text: see body_base64)");
    }

    public static String target(WebhookRequestsReply.Item item) {
      return item.path() + item.query().map(q -> "?" + q).orElse("");
    }
  }
}
