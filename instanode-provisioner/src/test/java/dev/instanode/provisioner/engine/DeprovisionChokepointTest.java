package dev.instanode.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.instanode.chokepoint.DropGuard;
import dev.instanode.chokepoint.Teardown;
import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.BindingKey;
import dev.instanode.core.names.BindingLogin;
import dev.instanode.core.names.DatabaseName;
import dev.instanode.core.names.InfraName;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.RoleName;
import dev.instanode.core.names.StackSlug;
import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.breaker.Breakers;
import dev.instanode.provisioner.pool.ProvisionerDatabase;
import dev.instanode.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeprovisionChokepointTest {
  private static final String TOKEN = "0b7f3c1e-1111-2222-3333-444455556666";
  private final DropGuard guard = new DropGuard(Set.of("instanode_platform"));

  @Test
  void chokepointNeverCallsTheBackendForARefusedNameAndAuditsAndCountsTheRefusal() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RecordingBackend backend =
        new RecordingBackend(List.of(new DatabaseName("db_ok"), new DatabaseName("postgres")));
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(
            guard, TestDropAudit.shared(), new Breakers(meters, Clock.systemUTC()), meters);
    RequestId request = RequestId.random();
    assertThatThrownBy(() ->
            chokepoint.drop(
                backend, ResourceToken.random(), ProviderResourceId.of("local:0"), "test", request))
        .isInstanceOf(ProvisionerException.class)
        .extracting(e -> ((ProvisionerException) e).kind())
        .isEqualTo(ProvisionerException.Kind.REFUSED);
    assertThat(backend.drops).isEmpty();
    assertThat(
            meters
                .get("instant_provisioner_drop_total")
                .tag("outcome", "refused")
                .tag("resource_type", "postgres")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(TestDropAudit.shared().ofRequest(request.value()))
        .extracting(DropAudit.Row::event)
        .containsExactly(DropAudit.Event.REQUESTED, DropAudit.Event.REFUSED);
  }

  @Test
  void theRequestIsAuditedWithReasonAndMaskedNamesBeforeTheDropAndTheOutcomeAfter() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ResourceToken token = ResourceToken.random();
    RequestId request = RequestId.random();
    List<List<DropAudit.Row>> seenDuringDrop = new ArrayList<>();
    RecordingBackend backend =
        new RecordingBackend(List.of(DatabaseName.of(token), RoleName.of(token))) {
          @Override
          public void drop(InfraKey key, ProviderResourceId providerResourceId) {
            seenDuringDrop.add(TestDropAudit.shared().ofRequest(request.value()));
            super.drop(key, providerResourceId);
          }
        };
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(
            guard, TestDropAudit.shared(), new Breakers(meters, Clock.systemUTC()), meters);

    chokepoint.drop(backend, token, ProviderResourceId.of("local:0"), "user_delete", request);

    assertThat(seenDuringDrop.getFirst())
        .as("the requested row exists while the drop runs")
        .extracting(DropAudit.Row::event)
        .containsExactly(DropAudit.Event.REQUESTED);
    List<DropAudit.Row> rows = TestDropAudit.shared().ofRequest(request.value());
    assertThat(rows)
        .extracting(DropAudit.Row::event)
        .containsExactly(DropAudit.Event.REQUESTED, DropAudit.Event.DROPPED);
    DropAudit.Row requested = rows.getFirst();
    assertThat(requested.reason()).isEqualTo("user_delete");
    assertThat(requested.names())
        .containsExactly(
            "database:db_" + token.text().substring(0, 8) + "…",
            "role:usr_" + token.text().substring(0, 8) + "…");
    assertThat(String.join(" ", requested.names())).doesNotContain(token.text());
  }

  @Test
  void aFailedDropIsAuditedAsFailed() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RequestId request = RequestId.random();
    RecordingBackend backend =
        new RecordingBackend(List.of(new DatabaseName("db_" + TOKEN))) {
          @Override
          public void drop(InfraKey key, ProviderResourceId providerResourceId) {
            throw new IllegalStateException("cluster unreachable");
          }
        };
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(
            guard, TestDropAudit.shared(), new Breakers(meters, Clock.systemUTC()), meters);

    assertThatThrownBy(() ->
            chokepoint.rollback(backend, ResourceToken.random(), ProviderResourceId.NONE, request))
        .isInstanceOf(ProvisionerException.class);

    assertThat(TestDropAudit.shared().ofRequest(request.value()))
        .extracting(DropAudit.Row::event, DropAudit.Row::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(DropAudit.Event.REQUESTED, "provision_rollback"),
            org.assertj.core.groups.Tuple.tuple(DropAudit.Event.FAILED, "provision_rollback"));
  }

  @Test
  void withoutItsAuditRowNothingIsDropped() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ProvisionerDatabase gone = ProvisionerDatabase.connect(TestPostgres.newDatabase("gone"), 1);
    DropAudit unreachable = new DropAudit(gone.jdbi());
    gone.close();
    RecordingBackend backend = new RecordingBackend(List.of(new DatabaseName("db_" + TOKEN)));
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(
            guard, unreachable, new Breakers(meters, Clock.systemUTC()), meters);

    assertThatThrownBy(() ->
            chokepoint.drop(
                backend,
                ResourceToken.random(),
                ProviderResourceId.of("local:0"),
                "expired",
                RequestId.random()))
        .isInstanceOf(ProvisionerException.class)
        .extracting(e -> ((ProvisionerException) e).kind())
        .isEqualTo(ProvisionerException.Kind.UNAVAILABLE);
    assertThat(backend.drops).isEmpty();
  }

  @Test
  void anyTeardownGoesThroughTheSameGuardAndAudit() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(
            guard, TestDropAudit.shared(), new Breakers(meters, Clock.systemUTC()), meters);
    List<String> deleted = new ArrayList<>();
    RequestId refused = RequestId.random();

    assertThatThrownBy(() ->
            chokepoint.destroy(
                new Teardown(
                    "stack",
                    "kubernetes",
                    List.of(new NamespaceName("kube-system")),
                    "stack_expired",
                    refused,
                    () -> deleted.add("kube-system"))))
        .isInstanceOf(ProvisionerException.class);
    RequestId allowed = RequestId.random();
    chokepoint.destroy(
        new Teardown(
            "stack",
            "kubernetes",
            List.of(NamespaceName.forStack(new StackSlug("stk-1a2b3c4d"))),
            "stack_expired",
            allowed,
            () -> deleted.add("instant-stack-stk-1a2b3c4d")));

    assertThat(deleted).containsExactly("instant-stack-stk-1a2b3c4d");
    assertThat(TestDropAudit.shared().ofRequest(refused.value()))
        .extracting(DropAudit.Row::event)
        .containsExactly(DropAudit.Event.REQUESTED, DropAudit.Event.REFUSED);
    assertThat(TestDropAudit.shared().ofRequest(allowed.value()))
        .extracting(DropAudit.Row::event)
        .containsExactly(DropAudit.Event.REQUESTED, DropAudit.Event.DROPPED);
  }

  /**
   * The binding logins a resource's drop finds are names the infrastructure reported: each passes
   * the guard before any is dropped, and a bad one stops them all.
   */
  @Test
  void aResourcesFoundBindingLoginsAreGuardedBeforeAnyIsDropped() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ResourceToken token = ResourceToken.parse(TOKEN).orElseThrow();
    BindingLogin good = BindingLogin.of(token, new BindingKey("00112233445566ff"));
    List<BindingKey> dropped = new ArrayList<>();
    RecordingBackend backend =
        new RecordingBackend(List.of(new DatabaseName("db_ok"))) {
          @Override
          public List<BindingLogin> bindingLogins(InfraKey key, ProviderResourceId prid) {
            return List.of(good, new BindingLogin("postgres"));
          }

          @Override
          public void dropBinding(InfraKey key, ProviderResourceId prid, BindingKey binding) {
            dropped.add(binding);
          }
        };
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(
            guard, TestDropAudit.shared(), new Breakers(meters, Clock.systemUTC()), meters);
    RequestId request = RequestId.random();

    assertThatThrownBy(() ->
            chokepoint.drop(backend, token, ProviderResourceId.of("local:0"), "test", request))
        .isInstanceOfSatisfying(
            ProvisionerException.class,
            e -> assertThat(e.kind()).isEqualTo(ProvisionerException.Kind.REFUSED));

    assertThat(backend.drops).as("the resource itself went first").containsExactly(token);
    assertThat(dropped).isEmpty();
    assertThat(TestDropAudit.shared().ofRequest(request.value()))
        .extracting(DropAudit.Row::event)
        .containsExactly(
            DropAudit.Event.REQUESTED,
            DropAudit.Event.DROPPED,
            DropAudit.Event.REQUESTED,
            DropAudit.Event.REFUSED);
  }

  @Test
  void aBindingDropIsAuditedUnderItsLoginsName() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ResourceToken token = ResourceToken.parse(TOKEN).orElseThrow();
    List<BindingKey> dropped = new ArrayList<>();
    RecordingBackend backend =
        new RecordingBackend(List.of()) {
          @Override
          public void dropBinding(InfraKey key, ProviderResourceId prid, BindingKey binding) {
            dropped.add(binding);
          }
        };
    DeprovisionChokepoint chokepoint =
        new DeprovisionChokepoint(
            guard, TestDropAudit.shared(), new Breakers(meters, Clock.systemUTC()), meters);
    RequestId request = RequestId.random();
    BindingKey binding = new BindingKey("00112233445566ff");

    chokepoint.dropBinding(
        backend, token, ProviderResourceId.of("local:0"), binding, "unbind", request);

    assertThat(dropped).containsExactly(binding);
    assertThat(TestDropAudit.shared().ofRequest(request.value()))
        .allSatisfy(row -> assertThat(row.names()).containsExactly("binding_login:bnd_0b7f3c1e…"))
        .extracting(DropAudit.Row::event)
        .containsExactly(DropAudit.Event.REQUESTED, DropAudit.Event.DROPPED);
  }

  /** A backend that records drops and names whatever it is told to. */
  private static class RecordingBackend extends DropOnlyBackend {
    private final List<InfraName> names;
    final List<InfraKey> drops = new ArrayList<>();

    RecordingBackend(List<InfraName> names) {
      this.names = names;
    }

    @Override
    public List<InfraName> objectNames(InfraKey key) {
      return names;
    }

    @Override
    public void drop(InfraKey key, ProviderResourceId providerResourceId) {
      drops.add(key);
    }
  }
}
