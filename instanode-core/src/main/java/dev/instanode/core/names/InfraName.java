package dev.instanode.core.names;

/**
 * The name of one piece of customer infrastructure that a drop would remove. Each kind has its own
 * guard rules (see the provisioner's {@code DropGuard}); nothing is ever dropped by a bare string.
 */
public sealed interface InfraName
    permits DatabaseName,
        RoleName,
        AclUserName,
        NamespaceName,
        WebhookInbox,
        ObjectPrefix,
        QueueUser,
        BindingLogin {
  /** The name exactly as the infrastructure knows it. */
  String value();

  /** Bounded, for metrics and audit rows. */
  String kind();

  /** Safe for logs and audit rows: the token part masked, the prefix kept. */
  String masked();
}
