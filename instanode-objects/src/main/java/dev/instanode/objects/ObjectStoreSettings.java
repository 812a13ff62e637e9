package dev.instanode.objects;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * Where the shared bucket is and the platform's key to it. Tenants never see the key: they get
 * presigned URLs for their own prefix.
 *
 * @param endpoint where the platform reaches the S3 API
 * @param publicEndpoint where clients reach it; presigned URLs point there
 */
public record ObjectStoreSettings(
    URI endpoint,
    URI publicEndpoint,
    String region,
    String bucket,
    String accessKey,
    String secretKey) {

  public ObjectStoreSettings {
    requireNonNull(endpoint, "endpoint is null");
    requireNonNull(publicEndpoint, "publicEndpoint is null");
    requireNonNull(region, "region is null");
    requireNonNull(bucket, "bucket is null");
    requireNonNull(accessKey, "accessKey is null");
    requireNonNull(secretKey, "secretKey is null");
    if (bucket.isBlank()) {
      throw new IllegalArgumentException("the bucket name is blank");
    }
  }

  /** Without the secret. */
  @Override
  public String toString() {
    return "ObjectStoreSettings[endpoint=" + endpoint + ", bucket=" + bucket + "]";
  }
}
