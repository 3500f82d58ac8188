namespace MeshBridge.Kubernetes.Queues;

/// <summary>
/// One token bucket shared by every key, so a storm of failures cannot retry faster than <c>qps</c> overall:
/// client-go's <c>BucketRateLimiter</c> over golang.org/x/time/rate's <c>Limiter.Reserve().Delay()</c>.
/// </summary>
/// <remarks>
/// Like <c>rate.Limiter</c>, a reservation always succeeds and the bucket may go negative: the caller is told to
/// wait until its token will exist. Time comes from the <see cref="TimeProvider"/> so tests can step it.
/// </remarks>
public sealed class BucketRateLimiter<TKey> : IRateLimiter<TKey>
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly double _qps;
    private readonly int _burst;
    private double _tokens;
    private long _last;

    public BucketRateLimiter(double qps, int burst, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(qps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _qps = qps;
        _burst = burst;
        _timeProvider = timeProvider;
        _tokens = burst;
        _last = timeProvider.GetTimestamp();
    }

    public TimeSpan When(TKey key)
    {
        lock (_gate)
        {
            var now = _timeProvider.GetTimestamp();
            var elapsed = _timeProvider.GetElapsedTime(_last, now);
            _tokens = Math.Min(_burst, _tokens + (elapsed.TotalSeconds * _qps));
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _qps);
        }
    }

    /// <summary>The bucket does not track keys, as in client-go.</summary>
    public void Forget(TKey key)
    {
    }

    public int NumRequeues(TKey key) => 0;
}
