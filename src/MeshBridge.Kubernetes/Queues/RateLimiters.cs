namespace MeshBridge.Kubernetes.Queues;

/// <summary>The rate limiters controllers use unless they have a reason not to.</summary>
public static class RateLimiters
{
    /// <summary>
    /// client-go's <c>DefaultControllerRateLimiter</c>: per-key backoff from 5 ms doubling to 1000 s, and no more
    /// than 10 retries a second overall (burst 100), whichever waits longer.
    /// </summary>
    public static IRateLimiter<TKey> DefaultController<TKey>(TimeProvider timeProvider, IEqualityComparer<TKey>? comparer = null)
        where TKey : notnull =>
        new MaxOfRateLimiter<TKey>(
            new ItemExponentialFailureRateLimiter<TKey>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000), comparer),
            new BucketRateLimiter<TKey>(qps: 10, burst: 100, timeProvider));
}
