namespace MeshBridge.Kubernetes.Queues;

/// <summary>
/// The longest wait any of its limiters asks for: client-go's <c>MaxOfRateLimiter</c>. Every limiter is asked on
/// every <see cref="When"/>, so each one counts the failure (the bucket spends a token even when backoff wins).
/// </summary>
public sealed class MaxOfRateLimiter<TKey> : IRateLimiter<TKey>
    where TKey : notnull
{
    private readonly IRateLimiter<TKey>[] _limiters;

    public MaxOfRateLimiter(params IRateLimiter<TKey>[] limiters)
    {
        ArgumentOutOfRangeException.ThrowIfZero(limiters.Length);
        _limiters = [.. limiters];
    }

    public TimeSpan When(TKey key)
    {
        var longest = TimeSpan.Zero;
        foreach (var limiter in _limiters)
        {
            var wait = limiter.When(key);
            if (wait > longest)
            {
                longest = wait;
            }
        }

        return longest;
    }

    public void Forget(TKey key)
    {
        foreach (var limiter in _limiters)
        {
            limiter.Forget(key);
        }
    }

    public int NumRequeues(TKey key) => _limiters.Max(l => l.NumRequeues(key));
}
