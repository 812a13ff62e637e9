package dev.instanode.server;

import dev.instanode.api.ops.ReadinessCheck;
import dev.instanode.core.ResourceType;
import dev.instanode.provisioner.Provisioner;
import java.util.Set;

/**
 * How the api and worker reach the provisioner, in this process or over gRPC.
 *
 * @param ready the api's readiness check of the provisioner
 * @param services the kinds it can provision
 */
record ProvisionerAccess(
    Provisioner provisioner, ReadinessCheck ready, Set<ResourceType> services) {}
