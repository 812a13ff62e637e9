package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.api.mail.LogMailer;
import dev.instanode.core.Tier;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code instanode dev} without SMTP ({@code MAIL_LOG=true}, as DevMode sets): a sign-in link is
 * written to the log at INFO, and the link read from there signs in.
 */
class MailLogHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern LINK_TOKEN = Pattern.compile("token=(mlnk_[A-Za-z0-9_-]{43})");

  @RegisterExtension static final RunningApi api = RunningApi.with("MAIL_LOG", "true");

  @Test
  void withoutSmtpTheSignInLinkIsLoggedAtInfoAndSignsIn() {
    assertThat(api.env()).doesNotContainKey("SMTP_URL");
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String email = team.owner().email();
    List<ILoggingEvent> mailed;
    try (CapturedLog log = new CapturedLog()) {
      HttpResponse<String> started =
          api.http().postJson("/auth/email/start", "{\"email\":\"" + email + "\"}");
      assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
      mailed =
          Awaitility.await()
              .until(
                  () ->
                      log.events().stream()
                          .filter(e -> e.getLoggerName().equals(LogMailer.class.getName()))
                          .toList(),
                  events -> !events.isEmpty());
    }
    assertThat(mailed).hasSize(1);
    ILoggingEvent event = mailed.getFirst();
    assertThat(event.getLevel()).isEqualTo(Level.INFO);
    String text = event.getFormattedMessage();
    assertThat(text).contains("to=" + email).contains("Your instanode sign-in link");
    Matcher link = LINK_TOKEN.matcher(text);
    assertThat(link.find()).as(text).isTrue();

    HttpResponse<String> verified =
        api.http().postJson("/auth/email/verify", "{\"token\":\"" + link.group(1) + "\"}");
    assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
    JsonNode session = JSON.readTree(verified.body());
    assertThat(session.get("user_id").asString()).isEqualTo(team.owner().id().toString());
    assertThat(
            api.http()
                .get("/api/v1/whoami", Teams.bearer(session.get("session_token").asString()))
                .statusCode())
        .isEqualTo(200);
  }
}
