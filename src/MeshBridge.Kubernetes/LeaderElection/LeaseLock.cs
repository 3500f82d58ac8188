using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform.Model;

namespace MeshBridge.Kubernetes.LeaderElection;

/// <summary>
/// One Lease as a lock, remembering the object last read or written so every update carries its resourceVersion:
/// client-go's resourcelock/leaselock.go. Used by one election loop at a time.
/// </summary>
internal sealed class LeaseLock(ILeaseClient client, string ns, string name)
{
    private V1Lease? _lease;

    public async Task<LeaderElectionRecord?> GetAsync(CancellationToken cancellationToken)
    {
        var lease = await client.GetAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return null;
        }

        _lease = lease;
        return LeaderElectionRecord.From(lease.Spec);
    }

    public async Task CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = record.ToSpec(existing: null),
        };
        _lease = await client.CreateAsync(lease, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the Lease last seen; the server refuses (409) if anyone wrote it since.</summary>
    public async Task UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
    {
        // client-go: "lease not initialized, call get or create first".
        var lease = _lease ?? throw new InvalidOperationException("the lease was neither read nor created before this update");
        _lease = await client.ReplaceAsync(lease with { Spec = record.ToSpec(lease.Spec) }, cancellationToken).ConfigureAwait(false);
    }
}
