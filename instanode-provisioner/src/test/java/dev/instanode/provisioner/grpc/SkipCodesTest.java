package dev.instanode.provisioner.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.grpc.proto.SkipCode;
import org.junit.jupiter.api.Test;

class SkipCodesTest {
  @Test
  void everyReasonHasAWireCodeAndComesBack() {
    for (SkipReason reason : SkipReason.values()) {
      assertThat(SkipCodes.decode(SkipCodes.encode(reason))).contains(reason);
    }
  }

  @Test
  void noCodeMeansTheTextDecides() {
    assertThat(SkipCodes.decode(SkipCode.SKIP_CODE_UNSPECIFIED)).isEmpty();
    assertThat(SkipCodes.decode(SkipCode.UNRECOGNIZED)).isEmpty();
  }
}
