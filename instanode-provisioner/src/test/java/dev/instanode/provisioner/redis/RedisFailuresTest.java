package dev.instanode.provisioner.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.provisioner.ProvisionerException;
import dev.instanode.provisioner.ProvisionerException.Kind;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class RedisFailuresTest {
  @Test
  void unreachableTimedOutOrDisconnectedRedisIsUnavailable() {
    assertThat(kind(new RedisConnectionException("Unable to connect to 127.0.0.1:1")))
        .isEqualTo(Kind.UNAVAILABLE);
    assertThat(kind(new RedisCommandTimeoutException("Command timed out after 5 second(s)")))
        .isEqualTo(Kind.UNAVAILABLE);
    assertThat(kind(new RedisException("Currently not connected. Commands are rejected.")))
        .isEqualTo(Kind.UNAVAILABLE);
    assertThat(kind(new RedisException("wrapped", new ConnectException("Connection refused"))))
        .isEqualTo(Kind.UNAVAILABLE);
  }

  @Test
  void errorRepliesAreInternalUnlessTheyMeanNotNow() {
    assertThat(kind(new RedisCommandExecutionException("ERR Error in ACL SETUSER modifier 'x'")))
        .isEqualTo(Kind.INTERNAL);
    assertThat(kind(new RedisCommandExecutionException("NOPERM this user has no permissions")))
        .isEqualTo(Kind.INTERNAL);
    assertThat(kind(new RedisCommandExecutionException("LOADING Redis is loading the dataset")))
        .isEqualTo(Kind.UNAVAILABLE);
    assertThat(kind(new RedisCommandExecutionException("BUSY Redis is busy running a script")))
        .isEqualTo(Kind.UNAVAILABLE);
  }

  @Test
  void theMessageNamesTheOperationAndNeverACredentialUrl() {
    ProvisionerException e =
        RedisFailures.classify(
            "provision",
            new RedisCommandExecutionException("ERR bad redis://default:hunter2@10.0.0.1:6379/0"));
    assertThat(e.getMessage()).startsWith("provision failed: ERR bad").doesNotContain("hunter2");
  }

  @Test
  void aProvisionerExceptionPassesThroughUnchanged() {
    ProvisionerException original =
        new ProvisionerException(Kind.INVALID_ARGUMENT, "bad token", null);
    assertThat(RedisFailures.classify("provision", original)).isSameAs(original);
  }

  @Test
  void anythingElseIsInternal() {
    assertThat(kind(new IllegalStateException("injected"))).isEqualTo(Kind.INTERNAL);
  }

  private static Kind kind(RuntimeException e) {
    return RedisFailures.classify("op", e).kind();
  }
}
