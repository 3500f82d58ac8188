namespace MeshBridge.Kubernetes.Queues;

/// <summary>
/// Decides how long a failed key waits before it is retried: client-go's <c>workqueue.TypedRateLimiter</c>
/// (k8s.io/client-go/util/workqueue/default_rate_limiters.go).
/// </summary>
public interface IRateLimiter<in TKey>
    where TKey : notnull
{
    /// <summary>How long <paramref name="key"/> waits before its next try; counts as one more requeue.</summary>
    TimeSpan When(TKey key);

    /// <summary>Stops tracking <paramref name="key"/>: it succeeded (or was given up on) and starts afresh.</summary>
    void Forget(TKey key);

    /// <summary>How many times <paramref name="key"/> was requeued since it was last forgotten.</summary>
    int NumRequeues(TKey key);
}
