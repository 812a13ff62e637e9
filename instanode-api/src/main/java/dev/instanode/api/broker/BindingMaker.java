package dev.instanode.api.broker;

import dev.instanode.core.ProviderResourceId;
import dev.instanode.core.RequestId;
import dev.instanode.core.ResourceType;
import dev.instanode.core.auth.ApiKeys;
import dev.instanode.core.names.BindingKey;
import dev.instanode.provisioner.BindingRequest;
import dev.instanode.provisioner.Provisioner;
import dev.instanode.store.IdentityRepository;
import dev.instanode.store.ResourceRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Makes and ends one binding's own credentials. Postgres, Redis and queues are reached on their
 * infrastructure, so a binding there is a login of its own made by the provisioner. Webhook
 * receivers and object storage are reached through the API, so a binding there is an API key
 * limited to the resource (refused by every route but that resource's data routes), made in the
 * caller's transaction with the binding's row: it exists exactly when the row does.
 */
final class BindingMaker {
  private static final Set<ResourceType> THROUGH_THE_API =
      Set.of(ResourceType.WEBHOOK, ResourceType.STORAGE);

  /** Characters of the platform's binding id a key's name carries (the name is for people). */
  private static final int NAMED_ID_CHARS = 64;

  private final Provisioner provisioner;
  private final String publicBaseUrl;

  BindingMaker(Provisioner provisioner, String publicBaseUrl) {
    this.provisioner = provisioner;
    this.publicBaseUrl = publicBaseUrl;
  }

  /** Whether the kind's bindings are logins the provisioner makes (and a failed bind may leave). */
  static boolean isLogin(ResourceType type) {
    return !THROUGH_THE_API.contains(type);
  }

  /** The binding's credentials (secrets), made now. */
  Map<String, Object> make(
      Handle h, ResourceRecord resource, String bindingId, RequestId requestId) {
    if (isLogin(resource.type())) {
      String url =
          provisioner.createBinding(loginRequest(resource, bindingId, requestId)).connectionUrl();
      return BindingCredentials.ofLogin(resource.type(), url, resource.keyPrefix());
    }
    String key = ApiKeys.generate();
    IdentityRepository.insertBindingKey(
        h,
        resource.teamId().orElseThrow(),
        resource.id(),
        bindingId,
        "Open Service Broker binding " + named(bindingId),
        key);
    return apiCredentials(resource, key);
  }

  /** Ends the binding's credentials (and only those); idempotent. */
  void end(Handle h, ResourceRecord resource, String bindingId, RequestId requestId) {
    if (isLogin(resource.type())) {
      provisioner.dropBinding(loginRequest(resource, bindingId, requestId));
    } else {
      IdentityRepository.revokeBindingKey(h, resource.id(), bindingId);
    }
  }

  /** Drops a login a failed bind may have left; a key went with the failed bind's transaction. */
  void forget(ResourceRecord resource, String bindingId, RequestId requestId) {
    if (isLogin(resource.type())) {
      provisioner.dropBinding(loginRequest(resource, bindingId, requestId));
    }
  }

  /** The id's first characters, never half of one (a lone surrogate is no text to store). */
  private static String named(String bindingId) {
    return bindingId
        .codePoints()
        .limit(NAMED_ID_CHARS)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }

  private Map<String, Object> apiCredentials(ResourceRecord resource, String key) {
    Map<String, Object> credentials = new LinkedHashMap<>();
    String token = resource.token().toString();
    if (resource.type() == ResourceType.WEBHOOK) {
      String receive = publicBaseUrl + "/webhook/receive/" + token;
      credentials.put("uri", receive);
      credentials.put("receive_url", receive);
      credentials.put("requests_url", publicBaseUrl + "/api/v1/webhooks/" + token + "/requests");
    } else {
      String presign = publicBaseUrl + "/storage/" + token + "/presign";
      credentials.put("uri", presign);
      credentials.put("presign_url", presign);
      credentials.put("usage_url", publicBaseUrl + "/storage/" + token);
    }
    credentials.put("api_key", key);
    return credentials;
  }

  private static BindingRequest loginRequest(
      ResourceRecord resource, String bindingId, RequestId requestId) {
    return new BindingRequest(
        resource.token(),
        resource.type(),
        resource.providerResourceId().orElse(ProviderResourceId.NONE),
        BindingKey.ofBindingId(bindingId),
        requestId);
  }
}
