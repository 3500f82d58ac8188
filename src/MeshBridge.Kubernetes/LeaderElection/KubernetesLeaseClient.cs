using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Models;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Kubernetes.LeaderElection;

/// <summary>Leader election's Lease calls over the REST client (GET, POST, PUT guarded by resourceVersion).</summary>
public sealed class KubernetesLeaseClient(KubernetesApi client) : ILeaseClient
{
    public async Task<V1Lease?> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var found = await client.TryGetAsync(ResourceTypes.Leases, ns, name, cancellationToken).ConfigureAwait(false);
        return found is null ? null : KubernetesTypedExtensions.Decode(found, KubernetesJsonContext.Default.V1Lease);
    }

    public Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return client.CreateAsync(ResourceTypes.Leases, lease.Metadata.Namespace(), lease, KubernetesJsonContext.Default.V1Lease, null, cancellationToken);
    }

    public Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return client.ReplaceAsync(ResourceTypes.Leases, lease.Metadata.Namespace(), lease.Metadata.Name!, lease, KubernetesJsonContext.Default.V1Lease, null, cancellationToken);
    }
}
