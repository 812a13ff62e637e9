package dev.instanode.provisioner.queue;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The NATS server queues live on, and how its authorization is changed while it runs: the
 * provisioner rewrites {@code authFile} (included by the server's config) and signals the process
 * in {@code pidFile} to reload, which nats-server does without dropping other clients.
 *
 * @param host where the provisioner reaches the server, to prove a new user can connect
 * @param publicHost where clients reach it; put in every queue's URL
 * @param port its client port
 */
public record NatsSettings(String host, String publicHost, int port, Path authFile, Path pidFile) {
  public NatsSettings {
    requireNonNull(host, "host is null");
    requireNonNull(publicHost, "publicHost is null");
    requireNonNull(authFile, "authFile is null");
    requireNonNull(pidFile, "pidFile is null");
  }
}
