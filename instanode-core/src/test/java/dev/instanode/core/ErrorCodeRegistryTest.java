package dev.instanode.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Adding an error code without its status or agent sentence fails here. */
class ErrorCodeRegistryTest {
  @Test
  void everyCodeHasAnErrorStatusAndAnAgentAction() {
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(code.httpStatus()).as(code.code()).isBetween(400, 599);
      assertThat(code.agentAction()).as(code.code()).startsWith("Tell the user").endsWith(".");
      assertThat(code.code()).matches("[a-z_]+");
    }
  }

  @Test
  void retryHintsFollowTheStatus() {
    for (ErrorCode code : ErrorCode.values()) {
      boolean hinted = code.httpStatus() == 503 || code.httpStatus() == 429;
      assertThat(code.defaultRetryAfterSeconds().isPresent()).as(code.code()).isEqualTo(hinted);
    }
  }

  @Test
  void auditKindsAreUniqueDottedNames() {
    assertThat(Arrays.stream(AuditKind.values()).map(AuditKind::wire).distinct().count())
        .isEqualTo(AuditKind.values().length);
    for (AuditKind kind : AuditKind.values()) {
      assertThat(kind.wire()).matches("[a-z_]+(\\.[a-z_]+)*");
    }
  }
}
