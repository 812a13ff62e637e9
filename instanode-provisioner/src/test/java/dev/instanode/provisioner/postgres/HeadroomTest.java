package dev.instanode.provisioner.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HeadroomTest {
  @Test
  void picksTheClusterWithTheMostRoom() {
    assertThat(Headroom.choose(List.of(OptionalLong.of(300), OptionalLong.of(120)), 400))
        .isEqualTo(1);
    assertThat(Headroom.choose(List.of(OptionalLong.of(10), OptionalLong.of(120)), 400)).isZero();
  }

  @Test
  void aTieGoesToTheFirstCluster() {
    assertThat(Headroom.choose(List.of(OptionalLong.of(5), OptionalLong.of(5)), 400)).isZero();
  }

  @Test
  void anUnreadableClusterIsNeverChosenWhileAnotherCanBeRead() {
    assertThat(Headroom.choose(List.of(OptionalLong.empty(), OptionalLong.of(399)), 400))
        .isEqualTo(1);
  }

  @Test
  void whenNothingCanBeReadItFallsBackToTheFirstCluster() {
    assertThat(Headroom.choose(List.of(OptionalLong.empty(), OptionalLong.empty()), 400)).isZero();
  }

  @Test
  void fullClustersStillRankByLeastOverflow() {
    assertThat(Headroom.choose(List.of(OptionalLong.of(450), OptionalLong.of(401)), 400))
        .isEqualTo(1);
  }
}
