package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.core.ResourceType;
import dev.instanode.worker.decision.OrphanDbSweepDecision.Kind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OrphanDbSweepDecisionTest {
  @Test
  void aNamespaceWhoseLatestEndedRowWasRedisIsARedisNamespace() {
    assertThat(OrphanDbSweepDecision.kindOf(Optional.of(ResourceType.REDIS)))
        .isEqualTo(Kind.REDIS_NAMESPACE);
  }

  @Test
  void anyOtherTypeOrNoEndedRowAtAllIsACustomerNamespace() {
    assertThat(OrphanDbSweepDecision.kindOf(Optional.of(ResourceType.POSTGRES)))
        .isEqualTo(Kind.CUSTOMER_NAMESPACE);
    assertThat(OrphanDbSweepDecision.kindOf(Optional.empty())).isEqualTo(Kind.CUSTOMER_NAMESPACE);
  }

  @Test
  void theLabelsAreSeed001s() {
    assertThat(Kind.CUSTOMER_NAMESPACE.label()).isEqualTo("customer_namespace");
    assertThat(Kind.REDIS_NAMESPACE.label()).isEqualTo("redis_namespace");
  }
}
