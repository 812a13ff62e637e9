package dev.instanode.embedded;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * A blob store that never copies: the platform does not use server-side copies, and a copy is the
 * one request a tenant could aim at another tenant's objects (its source is a header S3Proxy does
 * not require to be signed).
 */
final class CopyRefusingBlobStore extends ForwardingBlobStore {
  CopyRefusingBlobStore(BlobStore delegate) {
    super(delegate);
  }

  @Override
  public String copyBlob(
      String fromContainer,
      String fromName,
      String toContainer,
      String toName,
      CopyOptions options) {
    throw new UnsupportedOperationException("server-side copies are not served");
  }
}
