package dev.instanode.provisioner.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NatsAuthorizationTest {
  /** nats-server reads an empty users list as no authorization: the block is never empty. */
  @Test
  void withNoQueuesTheServerStillLetsNobodyIn() {
    String block = NatsAuthorization.render(List.of(), "$2a$10$locked");
    assertThat(block).contains("user: \"instanode_locked\"").contains("deny: [\">\"]");
    assertThat(block).doesNotContain("allow");
  }

  @Test
  void eachUserMayUseOnlyItsOwnSubjects() {
    String block =
        NatsAuthorization.render(
            List.of(new NatsAuthorization.User("usr_ab", "$2a$10$h", "0b7f3c1e-1111")),
            "$2a$10$locked");
    assertThat(block)
        .contains(
            "{user: \"usr_ab\", password: \"$2a$10$h\", permissions: {publish: {allow:"
                + " [\"0b7f3c1e-1111.>\"]}, subscribe: {allow: [\"0b7f3c1e-1111.>\"]}}}");
    assertThat(block).doesNotContain("allow_responses").doesNotContain("_INBOX");
  }
}
