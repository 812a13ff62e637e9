package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ResourceStatus;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.names.NamespaceName;
import dev.instanode.core.names.StackSlug;
import dev.instanode.worker.decision.OrphanSweepDecision.Listed;
import dev.instanode.worker.decision.OrphanSweepDecision.Liveness;
import dev.instanode.worker.decision.OrphanSweepDecision.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OrphanSweepDecisionTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final Duration GRACE = Duration.ofHours(1);
  private static final NamespaceName STACK = NamespaceName.forStack(new StackSlug("stk-4abb338c"));

  private static Listed aged(Duration age) {
    return new Listed(STACK, Optional.of(NOW.minus(age)), true, false);
  }

  private static Verdict classify(Listed ns, Liveness liveness) {
    return OrphanSweepDecision.classify(ns, liveness, NOW, GRACE);
  }

  @Test
  void aStackNamespaceIsKeyedByItselfAsTheSlugsNamespaceNeverByAnId() {
    assertThat(OrphanSweepDecision.stackKey(STACK)).contains(STACK);
    // Seed 000: an id-named namespace is no slug's, so no row could ever hold it.
    assertThat(
            OrphanSweepDecision.stackKey(new NamespaceName("instant-stack-" + UUID.randomUUID())))
        .isEmpty();
    assertThat(OrphanSweepDecision.stackKey(new NamespaceName("instant-stack-stk-4ABB338C")))
        .isEmpty();
    assertThat(OrphanSweepDecision.stackKey(new NamespaceName("instant-customer-stk-4abb338c")))
        .isEmpty();
  }

  @Test
  void aCustomerNamespaceIsKeyedByTheExactTokenItCarries() {
    ResourceToken token = ResourceToken.random();
    assertThat(OrphanSweepDecision.customerKey(NamespaceName.forCustomer(token))).contains(token);
    assertThat(OrphanSweepDecision.customerKey(new NamespaceName("instant-customer-1-1-1-1-1")))
        .as("a lenient UUID parse must not key a name that is not the token's")
        .isEmpty();
    assertThat(OrphanSweepDecision.customerKey(new NamespaceName("instant-customer-redis-a")))
        .isEmpty();
    assertThat(OrphanSweepDecision.customerKey(NamespaceName.forStack(StackSlug.random())))
        .isEmpty();
  }

  @Test
  void pendingAndEveryOtherStatusThatOwnsInfrastructureIsLive() {
    for (ResourceStatus status : ResourceStatus.values()) {
      Liveness expected = status.isTerminal() ? Liveness.NO_LIVE_ROW : Liveness.LIVE;
      assertThat(OrphanSweepDecision.customerLiveness(Optional.of(status)))
          .as(status.wireName())
          .isEqualTo(expected);
    }
    assertThat(OrphanSweepDecision.customerLiveness(Optional.of(ResourceStatus.PENDING)))
        .isEqualTo(Liveness.LIVE);
    assertThat(OrphanSweepDecision.customerLiveness(Optional.empty()))
        .isEqualTo(Liveness.NO_LIVE_ROW);
  }

  @Test
  void anyStacksRowKeepsItsNamespace() {
    assertThat(OrphanSweepDecision.stackLiveness(true)).isEqualTo(Liveness.LIVE);
    assertThat(OrphanSweepDecision.stackLiveness(false)).isEqualTo(Liveness.NO_LIVE_ROW);
  }

  @Test
  void onlyAnOldNamespaceWithNoLiveRowIsAnOrphan() {
    assertThat(classify(aged(Duration.ofHours(2)), Liveness.NO_LIVE_ROW)).isEqualTo(Verdict.ORPHAN);
    assertThat(classify(aged(Duration.ofDays(30)), Liveness.LIVE)).isEqualTo(Verdict.LIVE);
  }

  @Test
  void aNameTheEvidenceSaidNothingAboutIsKeptNeverReaped() {
    assertThat(classify(aged(Duration.ofDays(30)), null)).isEqualTo(Verdict.LIVE);
  }

  @Test
  void nothingYoungerThanTheGraceIsAnOrphanAndExactlyTheGraceIs() {
    assertThat(classify(aged(GRACE.minusSeconds(1)), Liveness.NO_LIVE_ROW))
        .isEqualTo(Verdict.TOO_YOUNG);
    assertThat(classify(aged(GRACE), Liveness.NO_LIVE_ROW)).isEqualTo(Verdict.ORPHAN);
    assertThat(classify(aged(Duration.ofMinutes(-5)), Liveness.NO_LIVE_ROW))
        .as("created in the future (clock skew) is young")
        .isEqualTo(Verdict.TOO_YOUNG);
  }

  @Test
  void anAgeThatCannotBeReadIsNeverOld() {
    assertThat(classify(new Listed(STACK, Optional.empty(), true, false), Liveness.NO_LIVE_ROW))
        .isEqualTo(Verdict.AGE_UNKNOWN);
  }

  @Test
  void aNamespaceWithoutOurLabelOrOurNameShapeIsNotOurs() {
    Listed unlabelled = new Listed(STACK, Optional.of(NOW.minus(Duration.ofDays(1))), false, false);
    assertThat(classify(unlabelled, Liveness.NO_LIVE_ROW)).isEqualTo(Verdict.NOT_OURS);
    assertThat(classify(aged(Duration.ofDays(1)), Liveness.UNKEYED)).isEqualTo(Verdict.NOT_OURS);
  }

  @Test
  void aNamespaceAlreadyTerminatingIsNotReapedAgain() {
    Listed going = new Listed(STACK, Optional.of(NOW.minus(Duration.ofDays(1))), true, true);
    assertThat(classify(going, Liveness.NO_LIVE_ROW)).isEqualTo(Verdict.TERMINATING);
  }
}
