using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Kubernetes.LeaderElection;

/// <summary>
/// The Lease spec as the election reasons about it: client-go's <c>resourcelock.LeaderElectionRecord</c> and the
/// conversions in leaselock.go (absent fields read as empty or zero).
/// </summary>
internal sealed record LeaderElectionRecord(
    string HolderIdentity,
    int LeaseDurationSeconds,
    DateTimeOffset? AcquireTime,
    DateTimeOffset? RenewTime,
    int LeaseTransitions)
{
    public static readonly LeaderElectionRecord Empty = new(string.Empty, 0, null, null, 0);

    public static LeaderElectionRecord From(V1LeaseSpec? spec) =>
        spec is null
            ? Empty
            : new(spec.HolderIdentity ?? string.Empty, spec.LeaseDurationSeconds ?? 0, spec.AcquireTime, spec.RenewTime, spec.LeaseTransitions ?? 0);

    /// <summary>Lease times are MicroTime on the wire; truncating here makes what we wrote equal what we read back.</summary>
    public static DateTimeOffset MicroTime(DateTimeOffset time) => time.AddTicks(-(time.Ticks % 10));

    /// <summary>Writes this record over <paramref name="existing"/>, keeping fields the election does not own.</summary>
    public V1LeaseSpec ToSpec(V1LeaseSpec? existing) =>
        (existing ?? new V1LeaseSpec()) with
        {
            HolderIdentity = HolderIdentity,
            LeaseDurationSeconds = LeaseDurationSeconds,
            AcquireTime = AcquireTime,
            RenewTime = RenewTime,
            LeaseTransitions = LeaseTransitions,
        };
}
