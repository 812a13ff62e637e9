package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.SkipReason;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RegradeVerdictTest {
  @Test
  void appliedCarriesTheLimitInForce() {
    RegradeVerdict v = RegradeVerdict.of(RegradeResult.applied(20));
    assertThat(v).isEqualTo(new RegradeVerdict.Applied(20));
    assertThat(v.limitInForce()).isEqualTo(OptionalLong.of(20));
  }

  @Test
  void alreadyCorrectIsAcceptableAndItsLimitIsInForce() {
    RegradeVerdict v = RegradeVerdict.of(RegradeResult.skipped(8, RegradeResult.ALREADY_CORRECT));
    assertThat(v).isInstanceOf(RegradeVerdict.AcceptableSkip.class);
    assertThat(v.limitInForce()).isEqualTo(OptionalLong.of(8));
  }

  @Test
  void anUnsupportedTypeIsAcceptableButProvesNoLimit() {
    RegradeVerdict v = RegradeVerdict.of(RegradeResult.skipped(0, RegradeResult.UNSUPPORTED_TYPE));
    assertThat(v).isInstanceOf(RegradeVerdict.AcceptableSkip.class);
    assertThat(v.limitInForce()).isEmpty();
  }

  @Test
  void theCodeDecidesNotTheText() {
    RegradeVerdict coded =
        RegradeVerdict.of(
            RegradeResult.skipped(8, SkipReason.NAMESPACE_NOT_FOUND, "already correct"));
    assertThat(coded)
        .isEqualTo(
            new RegradeVerdict.UnexpectedSkip("already correct", SkipReason.NAMESPACE_NOT_FOUND));
    assertThat(coded.limitInForce()).isEmpty();
  }

  @Test
  void anyOtherSkipIsAFailureWithABucket() {
    RegradeVerdict v =
        RegradeVerdict.of(RegradeResult.skipped(2, "postgres pod missing postgres-admin Secret"));
    assertThat(v)
        .isEqualTo(
            new RegradeVerdict.UnexpectedSkip(
                "postgres pod missing postgres-admin Secret",
                SkipReason.POSTGRES_ADMIN_SECRET_MISSING));
    assertThat(v.limitInForce()).isEmpty();
  }
}
