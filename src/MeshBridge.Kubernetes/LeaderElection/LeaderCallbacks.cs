namespace MeshBridge.Kubernetes.LeaderElection;

/// <summary>What the elector calls as leadership changes: client-go's <c>LeaderCallbacks</c>.</summary>
public sealed record LeaderCallbacks
{
    /// <summary>
    /// Starts the work only the leader may do. Runs on the thread pool; the token is cancelled when leadership ends,
    /// and the elector waits for the returned task before it releases the Lease or calls <see cref="OnStoppedLeading"/>.
    /// </summary>
    public required Func<CancellationToken, Task> OnStartedLeading { get; init; }

    /// <summary>Called once after leading ended, whether the Lease was lost or the run was cancelled.</summary>
    public required Action OnStoppedLeading { get; init; }

    /// <summary>
    /// Called on the election loop each time a different holder is observed (this candidate included); must be quick.
    /// Not called for an empty holder, which means nobody leads.
    /// </summary>
    public Action<string>? OnNewLeader { get; init; }
}
