package dev.instanode.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.core.Plans;
import dev.instanode.core.PoolToken;
import dev.instanode.core.PostgresUrl;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.core.names.BindingKey;
import dev.instanode.provisioner.engine.DropAudit;
import dev.instanode.provisioner.engine.LocalProvisioner;
import dev.instanode.provisioner.engine.TestDropAudit;
import dev.instanode.provisioner.engine.TestProvisioners;
import dev.instanode.provisioner.postgres.ClusterPlacement;
import dev.instanode.provisioner.postgres.PostgresBackend;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bindings on a shared cluster: a login of each binding's own, with the resource's rights. */
class PostgresBindingsTest {
  private static final ProviderResourceId PRID = ProviderResourceId.parse("local:0");
  private static ClusterPlacement placement;
  private static SimpleMeterRegistry meters;
  private static PostgresBackend backend;
  private static LocalProvisioner provisioner;

  @BeforeAll
  static void setUp() {
    placement = ClusterPlacement.of(List.of(TestPostgres.adminUrl()));
    placement.hardenClusters();
    meters = new SimpleMeterRegistry();
    backend = new PostgresBackend(placement, Plans.bundled(), (step, token) -> {});
    provisioner = TestProvisioners.around(backend, Set.of("platform_db"), meters);
  }

  @AfterAll
  static void tearDown() {
    placement.close();
  }

  @Test
  void twoBindingsGetLoginsOfTheirOwnThatBothActAsTheResource() throws SQLException {
    Made r = provision(Tier.PRO);
    String a = bind(r, "binding-a");
    String b = bind(r, "binding-b");

    assertThat(PostgresUrl.parse(a).user()).startsWith("bnd_" + r.token() + "_");
    assertThat(PostgresUrl.parse(a).user()).isNotEqualTo(PostgresUrl.parse(b).user());
    assertThat(PostgresUrl.parse(a).database()).isEqualTo("db_" + r.token());
    for (String url : List.of(a, b)) {
      assertThat(query(url, "SELECT current_user")).isEqualTo("usr_" + r.token());
      assertThat(query(url, "SELECT session_user")).isEqualTo(PostgresUrl.parse(url).user());
    }
    assertThat(meters.get(LocalProviders.BINDINGS).tag("outcome", "ok").counters()).isNotEmpty();
  }

  @Test
  void aBindingUsesTheOwnersTablesAndWhatItMakesIsTheResourcesForEveryone() throws SQLException {
    Made r = provision(Tier.PRO);
    execute(r.url(), "CREATE TABLE owners (v int)", "INSERT INTO owners VALUES (1)");
    String a = bind(r, "binding-a");
    String b = bind(r, "binding-b");

    execute(a, "INSERT INTO owners VALUES (2)", "CREATE TABLE made_by_a (v int)");
    assertThat(query(a, "SELECT count(*) FROM owners")).isEqualTo("2");
    assertThat(query(r.url(), "SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_a'"))
        .isEqualTo("usr_" + r.token());
    execute(b, "INSERT INTO made_by_a VALUES (1)");
    execute(r.url(), "INSERT INTO made_by_a VALUES (2)");
    assertThat(query(a, "SELECT count(*) FROM made_by_a")).isEqualTo("2");
  }

  @Test
  void droppingOneBindingEndsItsSessionsAndLeavesTheOtherAndTheOwnerWorking() throws Exception {
    Made r = provision(Tier.PRO);
    String a = bind(r, "binding-a");
    String b = bind(r, "binding-b");
    // What A made with its own role (after SET ROLE NONE) must outlive A, as the resource's.
    execute(a, "SET ROLE NONE", "CREATE TABLE a_own (v int)", "INSERT INTO a_own VALUES (1)");
    try (Connection open = connect(a)) {
      dropBinding(r, "binding-a");

      assertThatThrownBy(() -> open.createStatement().execute("SELECT 1"))
          .isInstanceOf(SQLException.class);
    }
    assertThatThrownBy(() -> connect(a).close()).isInstanceOf(SQLException.class);
    assertThat(roleExists(PostgresUrl.parse(a).user())).isFalse();
    assertThat(query(b, "SELECT count(*) FROM a_own")).isEqualTo("1");
    assertThat(query(r.url(), "SELECT tableowner FROM pg_tables WHERE tablename = 'a_own'"))
        .isEqualTo("usr_" + r.token());
    execute(r.url(), "INSERT INTO a_own VALUES (2)");
  }

  @Test
  void aBindingCannotReachAnotherTenantsDatabase() throws SQLException {
    Made r = provision(Tier.PRO);
    Made other = provision(Tier.PRO);
    String a = bind(r, "binding-a");
    PostgresUrl aimed = PostgresUrl.parse(a).withDatabase("db_" + other.token());
    assertThatThrownBy(() -> TestPostgres.connect(aimed).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("permission denied");
    assertThatThrownBy(() -> TestPostgres.connect(PostgresUrl.parse(a).withDatabase("postgres")))
        .isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> execute(a, "SET ROLE \"usr_" + other.token() + "\""))
        .isInstanceOf(SQLException.class);
  }

  @Test
  void bindingAgainGivesANewPasswordEndsOldSessionsAndKeepsOneLogin() throws Exception {
    Made r = provision(Tier.PRO);
    String first = bind(r, "binding-a");
    try (Connection open = connect(first)) {
      String second = bind(r, "binding-a");

      assertThat(PostgresUrl.parse(second).user()).isEqualTo(PostgresUrl.parse(first).user());
      assertThat(PostgresUrl.parse(second).password())
          .isNotEqualTo(PostgresUrl.parse(first).password());
      assertThatThrownBy(() -> connect(first).close())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("password authentication failed");
      assertThatThrownBy(() -> open.createStatement().execute("SELECT 1"))
          .isInstanceOf(SQLException.class);
      assertThat(query(second, "SELECT current_user")).isEqualTo("usr_" + r.token());
    }
    assertThat(bindingRoles(r.token().text())).hasSize(1);
    assertThat(query(r.url(), "SELECT 1")).as("the owner's password stays").isEqualTo("1");
  }

  @Test
  void aBindingHasTheOwnersConnectionCapAndSettingsAndFollowsARegrade() throws SQLException {
    Made r = provision(Tier.HOBBY);
    String login = PostgresUrl.parse(bind(r, "binding-a")).user();
    assertThat(limits(login)).isEqualTo(limits("usr_" + r.token()));

    RegradeResult regraded =
        provisioner.regrade(
            new RegradeRequest(
                r.token(), ResourceType.POSTGRES, Tier.TEAM, PRID, RequestId.random()));

    assertThat(regraded.applied()).isTrue();
    assertThat(limits(login)).isEqualTo(limits("usr_" + r.token()));
    assertThat(limits(login).getFirst()).isEqualTo(Long.toString(regraded.appliedConnLimit()));
  }

  /** The write freeze holds a binding, whichever role it acts as and whatever it was granted. */
  @Test
  void aFrozenResourcesBindingCannotWrite() throws SQLException {
    Made r = provision(Tier.PRO);
    String a = bind(r, "binding-a");
    String login = PostgresUrl.parse(a).user();
    execute(r.url(), "CREATE TABLE t (v int)", "GRANT INSERT, UPDATE ON t TO \"" + login + "\"");
    execute(a, "SET ROLE NONE", "CREATE TABLE a_own (v int)");

    assertThat(backend.setWritesBlocked(r.token(), PRID, true)).isTrue();

    assertThatThrownBy(() -> execute(a, "INSERT INTO t VALUES (1)"))
        .hasMessageContaining("permission denied");
    assertThatThrownBy(() -> execute(a, "SET ROLE NONE", "INSERT INTO t VALUES (1)"))
        .as("a grant the owner made to the binding")
        .hasMessageContaining("permission denied");
    assertThatThrownBy(() -> execute(a, "SET ROLE NONE", "INSERT INTO a_own VALUES (1)"))
        .as("a table the binding owned")
        .hasMessageContaining("permission denied");
    assertThatThrownBy(() -> execute(a, "CREATE TABLE more (v int)"))
        .hasMessageContaining("storage limit reached");
    assertThat(query(a, "SELECT count(*) FROM t")).isEqualTo("0");
    String b = bind(r, "binding-b");
    assertThatThrownBy(() -> execute(b, "INSERT INTO t VALUES (1)"))
        .as("a binding made while frozen")
        .hasMessageContaining("permission denied");

    assertThat(backend.setWritesBlocked(r.token(), PRID, false)).isTrue();
    execute(a, "INSERT INTO t VALUES (1)", "INSERT INTO a_own VALUES (1)");
    execute(b, "INSERT INTO t VALUES (2)");
  }

  @Test
  void droppingTheResourceDropsEveryBindingLogin() throws SQLException {
    Made r = provision(Tier.PRO);
    String a = bind(r, "binding-a");
    bind(r, "binding-b");
    execute(a, "SET ROLE NONE", "CREATE TABLE a_own (v int)");
    RequestId request = RequestId.random();

    provisioner.deprovision(
        new DeprovisionRequest(r.token(), ResourceType.POSTGRES, PRID, "user_delete", request));

    assertThat(bindingRoles(r.token().text())).isEmpty();
    assertThat(roleExists("usr_" + r.token())).isFalse();
    assertThat(
            ((DropAudit) TestDropAudit.shared())
                .ofRequest(request.value()).stream()
                    .flatMap(row -> row.names().stream())
                    .filter(n -> n.startsWith("binding_login:"))
                    .toList())
        .as("each binding's login named in the audit before it went")
        .isNotEmpty();
  }

  @Test
  void bindingAPooledResourceNamesTheLoginAfterThePoolToken() throws SQLException {
    PoolToken pool = new PoolToken("pool-" + ResourceToken.random());
    ProvisionResult made = backend.provision(pool, Tier.PRO, RequestId.random());
    ResourceToken claimedAs = ResourceToken.random();
    BindingRequest request =
        new BindingRequest(
            claimedAs,
            ResourceType.POSTGRES,
            made.providerResourceId().pooled(pool),
            BindingKey.ofBindingId("pooled"),
            RequestId.random());

    String url = provisioner.createBinding(request).connectionUrl();

    assertThat(PostgresUrl.parse(url).user()).startsWith("bnd_" + pool + "_");
    assertThat(query(url, "SELECT current_user")).isEqualTo("usr_" + pool);
    provisioner.deprovision(
        new DeprovisionRequest(
            claimedAs,
            ResourceType.POSTGRES,
            request.providerResourceId(),
            "user_delete",
            RequestId.random()));
    assertThat(bindingRoles(pool.text())).isEmpty();
  }

  @Test
  void bindingAMissingResourceIsInvalidAndMakesNothing() throws SQLException {
    ResourceToken token = ResourceToken.random();
    assertThatThrownBy(() -> provisioner.createBinding(request(token, PRID, "binding-a")))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT));
    assertThat(bindingRoles(token.text())).isEmpty();
    assertThat(meters.get(LocalProviders.BINDINGS).tag("outcome", "error").counters()).isNotEmpty();
  }

  @Test
  void aKeyTooLongForABindingLoginIsInvalidAndReachesNothing() {
    PoolToken longPool = new PoolToken("pool-" + "a".repeat(54));
    ProviderResourceId prid = PRID.pooled(longPool);
    for (Runnable call :
        List.<Runnable>of(
            () -> provisioner.createBinding(request(ResourceToken.random(), prid, "b")),
            () -> provisioner.dropBinding(request(ResourceToken.random(), prid, "b")))) {
      assertThatThrownBy(call::run)
          .isInstanceOfSatisfying(
              ProvisionerException.class,
              e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.INVALID_ARGUMENT));
    }
  }

  @Test
  void droppingABindingIsIdempotent() throws SQLException {
    Made r = provision(Tier.PRO);
    bind(r, "binding-a");
    dropBinding(r, "binding-a");
    dropBinding(r, "binding-a");
    dropBinding(r, "never-made");
    provisioner.deprovision(
        new DeprovisionRequest(
            r.token(), ResourceType.POSTGRES, PRID, "user_delete", RequestId.random()));
    dropBinding(r, "binding-a");
    assertThat(bindingRoles(r.token().text())).isEmpty();
  }

  /** Binding logins stay out of every usr_ pattern: inventory and usage see the tenant only. */
  @Test
  void bindingsDoNotConfuseInventoryOrUsage() throws SQLException {
    Made r = provision(Tier.PRO);
    bind(r, "binding-a");
    assertThat(backend.inventory())
        .filteredOn(i -> i.key().equals(r.token()))
        .singleElement()
        .satisfies(i -> assertThat(i.objects()).isEqualTo(2));
    assertThat(backend.usage().tenants()).filteredOn(t -> t.key().equals(r.token())).hasSize(1);
  }

  @Test
  void aBindingsSessionsCountAgainstTheResourcesOneCap() throws Exception {
    Made r = provision(Tier.PRO);
    String a = bind(r, "binding-a");
    try (Connection own = connect(r.url());
        Connection second = connect(a);
        Connection newest = connect(a)) {
      assertThat(
              backend.usage().tenants().stream()
                  .filter(t -> t.key().equals(r.token()))
                  .findFirst()
                  .orElseThrow()
                  .connections())
          .isEqualTo(3);
      assertThat(backend.closeConnectionsOver(r.token(), PRID, 1)).isEqualTo(2);
      assertThatThrownBy(() -> newest.createStatement().execute("SELECT 1"))
          .isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> second.createStatement().execute("SELECT 1"))
          .isInstanceOf(SQLException.class);
      assertThat(own.createStatement().execute("SELECT 1")).isTrue();
    }
  }

  private record Made(ResourceToken token, String url) {}

  /** The metric's name, as the provisioner registers it. */
  private static final class LocalProviders {
    static final String BINDINGS = "instant_bindings_total";
  }

  private static Made provision(Tier tier) {
    ResourceToken token = ResourceToken.random();
    ProvisionResult made =
        provisioner.provision(
            new ProvisionRequest(token, ResourceType.POSTGRES, tier, RequestId.random()));
    return new Made(token, made.connectionUrl());
  }

  private static BindingRequest request(ResourceToken token, ProviderResourceId prid, String id) {
    return new BindingRequest(
        token, ResourceType.POSTGRES, prid, BindingKey.ofBindingId(id), RequestId.random());
  }

  private static String bind(Made r, String bindingId) {
    return provisioner.createBinding(request(r.token(), PRID, bindingId)).connectionUrl();
  }

  private static void dropBinding(Made r, String bindingId) {
    provisioner.dropBinding(request(r.token(), PRID, bindingId));
  }

  private static Connection connect(String url) throws SQLException {
    return TestPostgres.connect(PostgresUrl.parse(url));
  }

  private static void execute(String url, String... statements) throws SQLException {
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  private static String query(String url, String sql) throws SQLException {
    try (Connection c = connect(url);
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The role's connection cap, then its stored settings but {@code role}, as text. */
  private static List<String> limits(String role) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT r.rolconnlimit, array_to_string(ARRAY(SELECT x FROM"
                        + " unnest(s.setconfig) x WHERE x NOT LIKE 'role=%' ORDER BY x), ',')"
                        + " FROM pg_roles r LEFT JOIN pg_db_role_setting s ON s.setrole = r.oid"
                        + " AND s.setdatabase = 0 WHERE r.rolname = '"
                        + role
                        + "'")) {
      rs.next();
      out.add(rs.getString(1));
      out.add(rs.getString(2));
    }
    return out;
  }

  private static List<String> bindingRoles(String key) throws SQLException {
    List<String> roles = new ArrayList<>();
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT rolname FROM pg_roles WHERE starts_with(rolname, 'bnd_"
                        + key
                        + "_')")) {
      while (rs.next()) {
        roles.add(rs.getString(1));
      }
    }
    return roles;
  }

  private static boolean roleExists(String name) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.adminUrl());
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + name + "'")) {
      return rs.next();
    }
  }
}
