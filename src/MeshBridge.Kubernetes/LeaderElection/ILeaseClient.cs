using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Kubernetes.LeaderElection;

/// <summary>
/// The three coordination.k8s.io/v1 Lease calls leader election makes (client-go's resourcelock/leaselock.go uses
/// the same Get, Create and Update). Failures are <see cref="Client.KubernetesException"/>s carrying the server's status.
/// </summary>
public interface ILeaseClient
{
    /// <summary>The Lease, or null when the server answers 404.</summary>
    Task<V1Lease?> GetAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>Creates the Lease; throws with 409 (AlreadyExists) when it exists.</summary>
    Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the Lease named by its metadata, guarded by <c>metadata.resourceVersion</c>: throws with 409
    /// (Conflict) when someone wrote it since that version was read.
    /// </summary>
    Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken);
}
