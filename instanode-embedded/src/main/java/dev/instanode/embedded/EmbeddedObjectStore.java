package dev.instanode.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.FilesystemApiMetadata;

/**
 * An S3-compatible server (S3Proxy) keeping objects as files under a directory, on loopback, with
 * SigV4 authentication: what {@code instanode dev} and the tests give object storage in place of a
 * cloud bucket. The filesystem provider is named directly, so none of the cloud providers S3Proxy
 * can also front is loaded.
 *
 * <p>Copies are refused: S3Proxy checks only the headers a presigned URL signed, so a tenant's
 * presigned PUT sent with an unsigned {@code x-amz-copy-source} would otherwise copy any object of
 * the bucket (another tenant's) into its prefix, with the platform's key.
 */
public final class EmbeddedObjectStore implements AutoCloseable {
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final String accessKey;
  private final String secretKey;

  private EmbeddedObjectStore(
      S3Proxy proxy, BlobStoreContext context, String accessKey, String secretKey) {
    this.proxy = proxy;
    this.context = context;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /**
   * @param port a fixed port, or 0 to pick a free one
   */
  public static EmbeddedObjectStore start(
      Path dataDir, int port, String accessKey, String secretKey) {
    return start(dataDir, port, accessKey, secretKey, true);
  }

  /**
   * S3Proxy as it comes, which performs a copy named by an unsigned {@code x-amz-copy-source}
   * header: only for testing the platform's check that refuses such a store.
   */
  public static EmbeddedObjectStore startUnguarded(
      Path dataDir, int port, String accessKey, String secretKey) {
    return start(dataDir, port, accessKey, secretKey, false);
  }

  private static EmbeddedObjectStore start(
      Path dataDir, int port, String accessKey, String secretKey, boolean refuseCopies) {
    try {
      OwnerOnly.directory(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make " + dataDir, e);
    }
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
    BlobStoreContext context =
        ContextBuilder.newBuilder(new FilesystemApiMetadata())
            .overrides(properties)
            .build(BlobStoreContext.class);
    try {
      S3Proxy proxy =
          S3Proxy.builder()
              .blobStore(
                  refuseCopies
                      ? new CopyRefusingBlobStore(context.getBlobStore())
                      : context.getBlobStore())
              .endpoint(URI.create("http://127.0.0.1:" + port))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
              .build();
      proxy.start();
      return new EmbeddedObjectStore(proxy, context, accessKey, secretKey);
    } catch (Exception e) {
      context.close();
      throw new IllegalStateException("cannot start the embedded object store", e);
    }
  }

  public int port() {
    return proxy.getPort();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the embedded object store", e);
    } finally {
      context.close();
    }
  }
}
