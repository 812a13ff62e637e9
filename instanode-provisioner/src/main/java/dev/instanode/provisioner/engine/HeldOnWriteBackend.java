package dev.instanode.provisioner.engine;

import dev.instanode.core.InfraKey;
import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.SkipReason;
import dev.instanode.provisioner.UsageReport;
import java.util.List;
import java.util.Map;

/**
 * A backend whose plan limits are held as each write lands (a webhook receiver's requests, a
 * storage prefix's presigned uploads, a queue user's subjects): nothing on a server for a regrade
 * to change, no pass of the limits job to measure, no writes to stop, no cache to shed, no
 * connections to close over a cap, no runaway work.
 */
public interface HeldOnWriteBackend extends ResourceBackend {
  @Override
  default RegradeResult regrade(InfraKey key, ProviderResourceId providerResourceId, Tier tier) {
    return RegradeResult.skipped(-1, SkipReason.UNSUPPORTED_TYPE, RegradeResult.UNSUPPORTED_TYPE);
  }

  @Override
  default UsageReport usage() {
    return new UsageReport(List.of(), false, false);
  }

  @Override
  default boolean setWritesBlocked(
      InfraKey key, ProviderResourceId providerResourceId, boolean blocked) {
    return false;
  }

  @Override
  default long shedDownTo(InfraKey key, ProviderResourceId providerResourceId, long keepBytes) {
    return 0;
  }

  @Override
  default int closeConnectionsOver(InfraKey key, ProviderResourceId providerResourceId, long cap) {
    return 0;
  }

  @Override
  default RunawayResult stopRunawayWork(
      Map<InfraKey, RunawayBounds> bounds, RunawayBounds otherwise) {
    return new RunawayResult(0, 0);
  }
}
