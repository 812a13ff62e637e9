package dev.instanode.provisioner.grpc.server;

import static java.util.Objects.requireNonNull;

import dev.instanode.provisioner.grpc.GrpcHeaders;
import dev.instanode.provisioner.grpc.ProvisionerSecret;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a call only when it carries the shared secret. The call is closed before the handler
 * starts, so an unauthenticated request never reaches the Provisioner.
 */
final class TokenAuthInterceptor implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(TokenAuthInterceptor.class);

  private final ProvisionerSecret secret;

  TokenAuthInterceptor(ProvisionerSecret secret) {
    this.secret = requireNonNull(secret, "secret is null");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String presented = headers.get(GrpcHeaders.TOKEN);
    if (presented == null) {
      return reject(call, "missing metadata");
    }
    if (!secret.matches(presented)) {
      return reject(call, "invalid provisioner token");
    }
    return next.startCall(call, headers);
  }

  private static <Q, R> ServerCall.Listener<Q> reject(ServerCall<Q, R> call, String why) {
    LOG.warn(
        "provisioner.grpc.unauthenticated method={} peer={} why={}",
        call.getMethodDescriptor().getFullMethodName(),
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
        why);
    call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
