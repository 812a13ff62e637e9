package dev.instanode.provisioner.engine;

import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.Tier;
import dev.instanode.provisioner.ProvisionResult;
import dev.instanode.provisioner.RegradeResult;
import dev.instanode.provisioner.RunawayBounds;
import dev.instanode.provisioner.RunawayResult;
import dev.instanode.provisioner.UsageReport;
import java.util.List;
import java.util.Map;

/**
 * A Postgres backend for teardown tests: it names and drops, and every other call fails loudly, so
 * a test that reaches past teardown notices.
 */
public abstract class DropOnlyBackend implements ResourceBackend {

  @Override
  public ResourceType type() {
    return ResourceType.POSTGRES;
  }

  @Override
  public String backendLabel() {
    return "shared";
  }

  @Override
  public ProvisionResult provision(String namingToken, Tier tier, RequestId requestId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public RegradeResult regrade(String namingToken, String providerResourceId, Tier tier) {
    throw new UnsupportedOperationException();
  }

  @Override
  public UsageReport usage() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean setWritesBlocked(String namingToken, String providerResourceId, boolean b) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int closeConnectionsOver(String namingToken, String providerResourceId, long cap) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long shed(String namingToken, String providerResourceId, long bytes) {
    throw new UnsupportedOperationException();
  }

  @Override
  public RunawayResult stopRunawayWork(Map<String, RunawayBounds> bounds, RunawayBounds otherwise) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String rotateCredentials(String namingToken, String providerResourceId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long storageBytes(String namingToken, String providerResourceId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public abstract List<String> objectNames(String namingToken);

  @Override
  public abstract void drop(String namingToken, String providerResourceId);
}
