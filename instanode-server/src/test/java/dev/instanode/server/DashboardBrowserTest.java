package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.instanode.api.identity.TeamBootstrap;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.Tier;
import dev.instanode.store.PlatformDatabase;
import dev.instanode.testkit.TestPostgres;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard in a real browser (headless Chromium): signing in with a mailed link, provisioning
 * a Postgres that really answers, revealing and copying its URL (audited), deleting it after a
 * confirmation, and claiming an anonymous database from its claim page through to the team's
 * resources page; a stack's page with its services and a log line arriving live, its env changed
 * from the editor and redeployed; a webhook request appearing on the inspector as it is received.
 * Stacks run on the fabric8 mock API server. Each flow leaves a screenshot in {@code
 * target/screenshots}.
 */
@EnableKubernetesMockClient(crud = true)
class DashboardBrowserTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern DASHBOARD_LINK =
      Pattern.compile("/app/signin/verify\\?token=(mlnk_[A-Za-z0-9_-]{43})");

  static final Mailbox mail = Mailbox.start();

  static KubernetesClient client;
  static KubernetesMockServer server;

  @RegisterExtension
  static final RunningApi api =
      RunningApi.with("SMTP_URL", mail.smtpUrl()).withCluster(() -> client);

  private static ChromeDriver browser;
  private static String base;

  @BeforeAll
  static void startBrowser() {
    assumeThat(HeadlessChromium.available()).as(HeadlessChromium.MISSING).isTrue();
    browser = HeadlessChromium.start();
    base = "http://127.0.0.1:" + api.port();
    HeadlessChromium.allowClipboard(browser, base);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    mail.close();
  }

  @BeforeEach
  @AfterEach
  void forgetTheLastSession() {
    if (browser != null) {
      browser.get(base + "/app/signin");
      browser.manage().deleteAllCookies();
    }
  }

  @Test
  void signsInWithALinkReadFromTheMailbox() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    browser.get(base + "/app/resources");
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/app/signin");

    browser.findElement(By.id("email")).sendKeys(team.owner().email());
    submit(browser.findElement(By.cssSelector("form[action='/app/signin/email'] button")));
    assertThat(browser.findElement(By.id("sent")).getText()).contains(team.owner().email());

    String token = mail.await(team.owner().email(), "sign-in").find(DASHBOARD_LINK);
    browser.get(base + "/app/signin/verify?token=" + token);
    submit(browser.findElement(By.cssSelector("form[action='/app/signin/verify'] button")));

    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/app/resources");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Resources");
    assertThat(browser.findElement(By.className("who")).getText())
        .contains(team.owner().email(), "owner");
    Cookie session = browser.manage().getCookieNamed("instanode_session");
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getPath()).isEqualTo("/app");
    assertThat(session.getSameSite()).isEqualTo("Lax");
    HeadlessChromium.screenshot(browser, "sign-in");

    // Signing out ends the session itself, not only the cookie.
    String value = session.getValue();
    submit(browser.findElement(By.cssSelector("form[action='/app/logout'] button")));
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(ExpectedConditions.urlContains("/app/signin"));
    assertThat(browser.findElement(By.className("notice")).getText()).isEqualTo("Signed out.");
    assertThat(api.http().get("/api/v1/whoami", Teams.bearer(value)).statusCode()).isEqualTo(401);
  }

  @Test
  void provisionsAPostgresFromThePageThatReallyAnswers() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    signInWithKey(team.apiKey());

    new Select(browser.findElement(By.id("kind"))).selectByValue("postgres");
    browser.findElement(By.id("name")).sendKeys("orders-db");
    browser.findElement(By.id("env")).sendKeys("staging");
    submit(browser.findElement(By.cssSelector("#provision button[type=submit]")));

    assertThat(browser.findElement(By.className("notice")).getText()).startsWith("Created");
    WebElement row = row("orders-db");
    assertThat(row.getText()).contains("postgres", "staging", "pro", "active");
    HeadlessChromium.screenshot(browser, "provision");

    submit(row.findElement(By.cssSelector("button.reveal")));
    String url = browser.findElement(By.id("connection-url")).getAttribute("value");
    assertThat(url).startsWith("postgres://");
    try (Connection c = TestPostgres.connect(PostgresUrl.parse(url));
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT 40 + 2")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getInt(1)).isEqualTo(42);
    }
    // The resources page as a person sees it, for the README.
    browser.get(base + "/app/resources");
    HeadlessChromium.screenshot(browser, "resources");
  }

  @Test
  void revealsAndCopiesAConnectionUrlAndTheRevealIsAudited() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    JsonNode made = provisionByApi(team, "billing-db");
    signInWithKey(team.apiKey());

    submit(row("billing-db").findElement(By.cssSelector("button.reveal")));
    WebElement field = browser.findElement(By.id("connection-url"));
    String shown = field.getAttribute("value");
    assertThat(shown).isEqualTo(made.get("connection_url").asString());

    WebElement copy =
        browser.findElement(By.cssSelector("button.copy[data-copy='connection-url']"));
    assertThat(copy.isDisplayed()).as("the script shows the copy button").isTrue();
    copy.click();
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(ExpectedConditions.attributeToBe(copy, "data-copied", "true"));
    assertThat(browser.findElement(By.id("copy-status")).getText()).contains("Copied");
    Object clipboard =
        browser.executeAsyncScript(
            "var done = arguments[arguments.length - 1];"
                + "navigator.clipboard.readText().then(done, function (e) { done('') });");
    assertThat(clipboard).isEqualTo(shown);
    HeadlessChromium.screenshot(browser, "reveal-copy");

    assertThat(auditKinds(team))
        .as("the reveal is audited as the API's credentials read is")
        .contains("connection_url.decrypted");
  }

  @Test
  void deletesOnlyAfterConfirming() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    JsonNode made = provisionByApi(team, "scratch-db");
    String token = made.get("token").asString();
    signInWithKey(team.apiKey());

    submit(row("scratch-db").findElement(By.cssSelector("button.delete")));
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Delete scratch-db?");
    HeadlessChromium.screenshot(browser, "delete-confirm");
    // Asking to confirm changed nothing.
    assertThat(
            api.http().get("/api/v1/resources/" + token, Teams.bearer(team.apiKey())).statusCode())
        .isEqualTo(200);

    submit(browser.findElement(By.id("confirm-delete")));
    assertThat(browser.findElement(By.className("notice")).getText()).startsWith("Deleted");
    assertThat(browser.findElements(By.cssSelector("tr[data-token='" + token + "']"))).isEmpty();
    assertThat(
            api.http().get("/api/v1/resources/" + token, Teams.bearer(team.apiKey())).statusCode())
        .isEqualTo(404);
    HeadlessChromium.screenshot(browser, "delete");
  }

  @Test
  void claimsAnAnonymousDatabaseFromItsClaimPageIntoTheTeamsDashboard() {
    JsonNode made =
        JSON.readTree(
            api.fromManyNetworks().postJson("/db/new", "{\"name\":\"weekend-project\"}").body());
    String email = "claimer-" + UUID.randomUUID() + "@example.com";

    browser.get(base + "/claim/preview?t=" + made.get("upgrade_jwt").asString());
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Keep your resources");
    assertThat(browser.findElement(By.id("claimed")).getText()).contains("weekend-project");
    browser.findElement(By.id("email")).sendKeys(email);
    HeadlessChromium.screenshot(browser, "claim-page");
    submit(browser.findElement(By.cssSelector("#claim-form button[type=submit]")));
    assertThat(browser.findElement(By.id("message")).getText()).contains("mailed a sign-in link");

    String token = mail.await(email, "sign-in").find(DASHBOARD_LINK);
    browser.get(base + "/app/signin/verify?token=" + token);
    submit(browser.findElement(By.cssSelector("form[action='/app/signin/verify'] button")));

    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/app/resources");
    assertThat(row("weekend-project").getText()).contains("postgres", "free");
    assertThat(browser.findElement(By.className("who")).getText()).contains(email);
    HeadlessChromium.screenshot(browser, "claim");
  }

  @Test
  void aStackPageShowsItsServicesAndALogLineArrivesLive() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String slug = stack(team, "shop");
    String namespace = "instant-stack-" + slug;
    client
        .pods()
        .inNamespace(namespace)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("web-1")
                .addToLabels("instanode.dev/service", "web")
                .endMetadata()
                .build())
        .create();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/" + namespace + "/pods/web-1/log?pretty=false&follow=true")
        .andReturn(200, "starting\nlistening on 8080\n")
        .always();
    signInWithKey(team.apiKey());

    browser.get(base + "/app/stacks");
    WebElement listed = browser.findElement(By.cssSelector("#stacks tr[data-slug='" + slug + "']"));
    assertThat(listed.getText()).contains("shop", slug);
    submit(listed.findElement(By.linkText("shop")));
    assertThat(browser.findElement(By.tagName("h1")).getText()).contains("shop", slug);
    WebElement web = browser.findElement(By.cssSelector("#services tr[data-service='web']"));
    assertThat(web.getText()).contains("web");

    submit(web.findElement(By.cssSelector("a.follow")));
    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(
            ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "listening on 8080"));
    assertThat(browser.findElements(By.cssSelector("#log li")))
        .extracting(WebElement::getText)
        .containsExactly("starting", "listening on 8080");
    HeadlessChromium.screenshot(browser, "stack-logs");
  }

  @Test
  void theEnvEditorChangesAValueAndARedeployAppliesIt() {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    String slug = stack(team, "api");
    signInWithKey(team.apiKey());
    browser.get(base + "/app/stacks/" + slug);

    browser.findElement(By.id("env-set")).sendKeys("FEATURE=on\nMODE=fast");
    submit(browser.findElement(By.cssSelector("#env-form button[type=submit]")));
    assertThat(browser.findElement(By.className("notice")).getText()).startsWith("Env saved");
    assertThat(browser.findElement(By.id("env-keys")).getText()).contains("FEATURE", "MODE");
    HeadlessChromium.screenshot(browser, "stack-env");
    // The JSON API sees the same saved env (values stay redacted there too).
    assertThat(envKeys(team, slug)).containsExactly("FEATURE", "MODE");

    // Removing asks first.
    browser.findElement(By.id("env-remove")).sendKeys("MODE");
    submit(browser.findElement(By.cssSelector("#env-form button[type=submit]")));
    assertThat(browser.findElement(By.id("confirm-text")).getText()).contains("MODE");
    assertThat(envKeys(team, slug)).as("asking changed nothing").contains("MODE");
    submit(browser.findElement(By.id("confirm")));
    assertThat(envKeys(team, slug)).containsExactly("FEATURE");

    submit(browser.findElement(By.id("redeploy")));
    assertThat(browser.findElement(By.tagName("h1")).getText()).startsWith("Redeploy");
    submit(browser.findElement(By.id("confirm")));
    assertThat(browser.findElement(By.className("notice")).getText()).startsWith("Redeploying");
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() ->
            assertThat(
                    client
                        .secrets()
                        .inNamespace("instant-stack-" + slug)
                        .withName("web-env")
                        .get()
                        .getStringData())
                .containsEntry("FEATURE", "on")
                .doesNotContainKey("MODE"));
  }

  @Test
  void aWebhookRequestAppearsOnTheInspectorAsItIsReceived() throws Exception {
    TeamBootstrap.Bootstrapped team = Teams.create(api.env(), Tier.PRO);
    JsonNode made =
        JSON.readTree(
            api.http()
                .post("/webhook/new", "{\"name\":\"payments\"}", Teams.bearer(team.apiKey()))
                .body());
    String receiveUrl = made.get("receive_url").asString();
    signInWithKey(team.apiKey());

    submit(row("payments").findElement(By.cssSelector("a.inspect")));
    assertThat(browser.findElement(By.id("receive-url")).getAttribute("value"))
        .isEqualTo(receiveUrl);
    assertThat(browser.findElement(By.id("no-requests")).isDisplayed()).isTrue();
    WebElement requests = browser.findElement(By.id("requests"));
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(ExpectedConditions.attributeToBe(requests, "data-live", "open"));
    browser.executeScript("window.samePage = 'yes';");

    HttpResponse<String> sent =
        api.http()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + api.port()
                                + URI.create(receiveUrl).getPath()
                                + "/charges?live=1"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"amount\":4200,\"note\":\"<b>not markup</b>\"}")),
                Map.of("Content-Type", "application/json", "X-Signature", "t=1,v1=abc"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#requests li.request"), 1));
    WebElement shown = browser.findElement(By.cssSelector("#requests li.request"));
    assertThat(shown.findElement(By.className("method")).getText()).isEqualTo("POST");
    assertThat(shown.findElement(By.className("path")).getText()).isEqualTo("/charges?live=1");
    assertThat(shown.findElement(By.className("body")).getText())
        .isEqualTo("{\"amount\":4200,\"note\":\"<b>not markup</b>\"}");
    assertThat(shown.findElements(By.cssSelector(".body b"))).as("a body is text").isEmpty();
    shown.findElement(By.tagName("summary")).click();
    assertThat(shown.findElement(By.className("headers")).getText())
        .contains("x-signature", "t=1,v1=abc");
    assertThat(browser.executeScript("return window.samePage;"))
        .as("it arrived without a reload")
        .isEqualTo("yes");
    assertThat(browser.findElement(By.id("no-requests")).isDisplayed()).isFalse();
    HeadlessChromium.screenshot(browser, "webhook-live");
  }

  /** A one-service stack made through the JSON API, once its deployment is on the cluster. */
  private static String stack(TeamBootstrap.Bootstrapped team, String name) {
    HttpResponse<String> res =
        api.http()
            .post(
                "/stacks/new",
                "{\"name\":\""
                    + name
                    + "\",\"manifest\":{\"services\":{\"web\":{\"image\":\"nginx:1.27\"}}}}",
                Teams.bearer(team.apiKey()));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
    String slug = JSON.readTree(res.body()).get("stack_id").asString();
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() ->
            !client
                .apps()
                .deployments()
                .inNamespace("instant-stack-" + slug)
                .list()
                .getItems()
                .isEmpty());
    return slug;
  }

  /** The keys of the stack's saved env, as the JSON API answers an empty patch. */
  private static List<String> envKeys(TeamBootstrap.Bootstrapped team, String slug) {
    HttpResponse<String> res =
        api.http()
            .send(
                "PATCH",
                "/stacks/" + slug + "/env",
                "{\"env\":{}}",
                Map.of(
                    "Content-Type",
                    "application/json",
                    "Authorization",
                    "Bearer " + team.apiKey()));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return JSON.readTree(res.body()).get("env").propertyNames().stream().sorted().toList();
  }

  /**
   * Clicks a button that loads another page, and waits until the new one has loaded: the old page's
   * window carries a mark the new one does not. (Waiting for the old element to go stale raced the
   * navigation: Chromium can answer "node does not belong to the document", which is no
   * stale-element error.)
   */
  private static void submit(WebElement button) {
    browser.executeScript("window.instanodeOldPage = true;");
    button.click();
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .ignoring(WebDriverException.class)
        .until(driver ->
            Boolean.TRUE.equals(
                browser.executeScript(
                    "return window.instanodeOldPage === undefined"
                        + " && document.readyState === 'complete';")));
  }

  private static void signInWithKey(String key) {
    browser.get(base + "/app/signin");
    browser.findElement(By.id("api_key")).sendKeys(key);
    submit(browser.findElement(By.cssSelector("form[action='/app/signin/key'] button")));
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/app/resources");
  }

  private static WebElement row(String name) {
    return browser.findElement(
        By.xpath("//table[@id='resources']//tr[th[normalize-space()='" + name + "']]"));
  }

  private static JsonNode provisionByApi(TeamBootstrap.Bootstrapped team, String name) {
    return JSON.readTree(
        api.http()
            .post("/db/new", "{\"name\":\"" + name + "\"}", Teams.bearer(team.apiKey()))
            .body());
  }

  private static List<String> auditKinds(TeamBootstrap.Bootstrapped team) {
    try (PlatformDatabase db =
        PlatformDatabase.connect(TestApplications.platformUrl(api.env()), 1)) {
      return db.jdbi()
          .withHandle(h ->
              h.createQuery("SELECT kind FROM audit_log WHERE team_id = :t")
                  .bind("t", team.team().id().value())
                  .mapTo(String.class)
                  .list());
    }
  }
}
