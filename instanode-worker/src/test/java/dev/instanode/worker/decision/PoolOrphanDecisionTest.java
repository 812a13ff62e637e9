package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.PoolToken;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.ResourceStatus;
import dev.instanode.worker.decision.PoolOrphanDecision.Item;
import dev.instanode.worker.decision.PoolOrphanDecision.Owner;
import dev.instanode.worker.decision.PoolOrphanDecision.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolOrphanDecisionTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final PoolToken POOL = new PoolToken("pool-4d2a0c8e-0000-4000-8000-000000000001");
  private static final Item OLD = new Item(POOL, NOW.minus(Duration.ofMinutes(31)));
  private static final Optional<ProviderResourceId> NAMES_ITEM =
      Optional.of(ProviderResourceId.of("local:0").pooled(POOL));

  private static Verdict classify(Item item, Optional<Owner> owner) {
    return PoolOrphanDecision.classify(item, owner, NOW);
  }

  @Test
  void anItemInsideTheGraceIsTooYoungWhateverItsOwner() {
    Item young = new Item(POOL, NOW.minus(Duration.ofMinutes(30)));
    assertThat(classify(young, Optional.empty())).isEqualTo(Verdict.TOO_YOUNG);
    for (ResourceStatus status : ResourceStatus.values()) {
      assertThat(classify(young, Optional.of(new Owner(status, NAMES_ITEM))))
          .isEqualTo(Verdict.TOO_YOUNG);
    }
  }

  @Test
  void noRowOrOnlyATerminalRowMeansOrphan() {
    assertThat(classify(OLD, Optional.empty())).isEqualTo(Verdict.ORPHAN);
    for (ResourceStatus status :
        EnumSet.of(ResourceStatus.FAILED, ResourceStatus.EXPIRED, ResourceStatus.DELETED)) {
      assertThat(classify(OLD, Optional.of(new Owner(status, NAMES_ITEM))))
          .as(status.wireName())
          .isEqualTo(Verdict.ORPHAN);
    }
  }

  @Test
  void aLiveOwnerThatNamesTheItemIsReleasedNeverReaped() {
    for (ResourceStatus status :
        EnumSet.of(ResourceStatus.ACTIVE, ResourceStatus.PAUSED, ResourceStatus.SUSPENDED)) {
      assertThat(classify(OLD, Optional.of(new Owner(status, NAMES_ITEM))))
          .isEqualTo(Verdict.RELEASE);
    }
  }

  @Test
  void aPendingOwnerIsLeftForTheReconciler() {
    assertThat(classify(OLD, Optional.of(new Owner(ResourceStatus.PENDING, Optional.empty()))))
        .isEqualTo(Verdict.KEEP_PENDING);
  }

  @Test
  void aLiveOwnerThatDoesNotNameTheItemIsKeptAsAMismatch() {
    for (Optional<ProviderResourceId> prid :
        List.of(
            Optional.<ProviderResourceId>empty(),
            Optional.of(ProviderResourceId.of("local:0")),
            Optional.of(
                ProviderResourceId.parse(
                    "local:0;pooltok:pool-00000000-0000-4000-8000-000000000009")))) {
      assertThat(classify(OLD, Optional.of(new Owner(ResourceStatus.ACTIVE, prid))))
          .as(prid.toString())
          .isEqualTo(Verdict.KEEP_MISMATCH);
    }
  }

  @Test
  void onlyAnOrphanVerdictCouldEverLeadToADrop() {
    // Exhaustive over owner states: a non-terminal owner never yields ORPHAN.
    for (ResourceStatus status : ResourceStatus.values()) {
      for (Optional<ProviderResourceId> prid :
          List.of(Optional.<ProviderResourceId>empty(), NAMES_ITEM)) {
        Verdict v = classify(OLD, Optional.of(new Owner(status, prid)));
        assertThat(v == Verdict.ORPHAN).as(status + " " + prid).isEqualTo(status.isTerminal());
      }
    }
  }
}
