package dev.instanode.provisioner.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceToken;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.ProvisionRequest;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.grpc.server.GrpcProvisionerServer;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcProvisionerServerTest {
  private final FakeProvisioner provisioner = new FakeProvisioner();

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   ", "\t\n"})
  void refusesToStartWithoutASecret(String secret) {
    assertThatThrownBy(() -> start(secret))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PROVISIONER_SECRET");
  }

  @Test
  void refusesToStartWithASecretShorterThan32Bytes() {
    String secret = "0123456789abcdef0123456789abcde"; // 31 bytes
    assertThatThrownBy(() -> start(secret))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PROVISIONER_SECRET")
        .hasMessageNotContaining(secret);
  }

  @Test
  void startsWithASecretOfExactly32Bytes() {
    try (GrpcProvisionerServer server = start("0123456789abcdef0123456789abcdef")) {
      assertThat(server.port()).isPositive();
    }
  }

  @Test
  void theClientAlsoRefusesAShortSecret() {
    assertThatThrownBy(() -> GrpcProvisionerClient.connect("127.0.0.1", 1, "short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PROVISIONER_SECRET");
  }

  @Test
  void portZeroBindsAFreePortAndExposesIt() throws Exception {
    try (GrpcFixture a = GrpcFixture.serving(provisioner);
        GrpcFixture b = GrpcFixture.serving(provisioner)) {
      assertThat(a.server.port()).isPositive().isNotEqualTo(b.server.port());
      assertThat(a.client.healthy()).isTrue();
      assertThat(b.client.healthy()).isTrue();
    }
  }

  @Test
  void reportsServingForTheServerAndTheProvisionerService() throws Exception {
    try (GrpcFixture grpc = GrpcFixture.serving(provisioner)) {
      assertThat(grpc.client.healthy()).isTrue();
      assertThat(health(grpc, "")).isEqualTo(ServingStatus.SERVING);
      assertThat(health(grpc, GrpcProvisionerServer.SERVICE_NAME)).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void reportsNotServingOnceShutdownBeginsWhileStillAnsweringCalls() throws Exception {
    try (GrpcFixture grpc = GrpcFixture.serving(provisioner)) {
      grpc.server.beginShutdown();
      assertThat(health(grpc, "")).isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(health(grpc, GrpcProvisionerServer.SERVICE_NAME))
          .isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(grpc.client.healthy()).isFalse();
      assertThat(grpc.client.provision(request())).isEqualTo(provisioner.provisionResult);
    }
  }

  @Test
  void isNotHealthyOnceClosed() throws Exception {
    try (GrpcFixture grpc = GrpcFixture.serving(provisioner)) {
      grpc.server.close();
      assertThat(grpc.client.healthy()).isFalse();
    }
  }

  @Test
  void closeLetsAnInFlightCallFinish() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    provisioner.holdCallsUntil(gate);
    // Own threads: on 2 cores the common pool has one thread, which the held call occupies.
    try (GrpcFixture grpc = GrpcFixture.serving(provisioner);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletableFuture<ProvisionResult> inFlight =
          CompletableFuture.supplyAsync(() -> grpc.client.provision(request()), threads);
      await().atMost(Duration.ofSeconds(10)).until(() -> !provisioner.calls().isEmpty());
      CompletableFuture<Void> closing = CompletableFuture.runAsync(grpc.server::close, threads);
      await().atMost(Duration.ofSeconds(10)).until(() -> !grpc.client.healthy());
      assertThat(closing).isNotDone();
      gate.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo(provisioner.provisionResult);
      closing.get(10, TimeUnit.SECONDS);
    }
  }

  private GrpcProvisionerServer start(String secret) {
    return GrpcProvisionerServer.start("127.0.0.1", 0, secret, provisioner, Clock.systemUTC());
  }

  private static ServingStatus health(GrpcFixture grpc, String service) {
    return grpc.rawHealth()
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  private static ProvisionRequest request() {
    return new ProvisionRequest(
        ResourceToken.random(), ResourceType.POSTGRES, Tier.ANONYMOUS, RequestId.random());
  }
}
