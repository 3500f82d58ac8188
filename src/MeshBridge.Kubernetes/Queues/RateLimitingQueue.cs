namespace MeshBridge.Kubernetes.Queues;

/// <summary>
/// The controller work queue: a <see cref="WorkQueue{TKey}"/> whose keys can also be added after a delay or after
/// the delay a rate limiter chooses. Mirrors client-go's <c>TypedRateLimitingInterface</c>
/// (k8s.io/client-go/util/workqueue/rate_limiting_queue.go over delaying_queue.go and queue.go).
/// </summary>
/// <remarks>
/// A reconciler that failed calls <see cref="AddRateLimited"/>; one that succeeded calls <see cref="Forget"/>
/// so the key's backoff starts afresh; one asking to look again later calls <see cref="AddAfter"/>. Whatever it
/// did, it then calls <see cref="Done"/>.
/// </remarks>
public sealed class RateLimitingQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly WorkQueue<TKey> _queue;
    private readonly WaitingKeys<TKey> _waiting;
    private readonly IRateLimiter<TKey> _rateLimiter;
    private readonly IWorkQueueMetrics _metrics;
    private long _retriesTotal;

    /// <summary>A queue with client-go's default controller rate limiter.</summary>
    public RateLimitingQueue(TimeProvider timeProvider)
        : this(RateLimiters.DefaultController<TKey>(timeProvider), timeProvider)
    {
    }

    public RateLimitingQueue(
        IRateLimiter<TKey> rateLimiter,
        TimeProvider timeProvider,
        IWorkQueueMetrics? metrics = null,
        IEqualityComparer<TKey>? comparer = null)
    {
        _rateLimiter = rateLimiter;
        _metrics = metrics ?? NullWorkQueueMetrics.Instance;
        _queue = new WorkQueue<TKey>(timeProvider, _metrics, comparer);
        _waiting = new WaitingKeys<TKey>(timeProvider, _queue.Add, comparer);
    }

    /// <summary>Keys ready for a worker; keys still waiting out a delay and keys being processed are not counted.</summary>
    public int Length => _queue.Length;

    /// <summary>Keys waiting out a delay before they are added.</summary>
    public int Waiting => _waiting.Count;

    public bool ShuttingDown => _queue.ShuttingDown;

    /// <inheritdoc cref="WorkQueue{TKey}.AddsTotal"/>
    public long AddsTotal => _queue.AddsTotal;

    /// <summary>Calls of <see cref="AddAfter"/> and <see cref="AddRateLimited"/> before shutdown, as client-go counts retries.</summary>
    public long RetriesTotal => Interlocked.Read(ref _retriesTotal);

    public void Add(TKey key) => _queue.Add(key);

    /// <summary>
    /// Adds <paramref name="key"/> once <paramref name="delay"/> has passed; at once if it is zero or negative.
    /// Adding a waiting key again keeps the earlier ready time, as client-go does.
    /// </summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (_queue.ShuttingDown)
        {
            return;
        }

        Interlocked.Increment(ref _retriesTotal);
        _metrics.Retried();
        if (delay <= TimeSpan.Zero)
        {
            _queue.Add(key);
            return;
        }

        _waiting.Add(key, delay);
    }

    /// <summary>Adds <paramref name="key"/> after the wait the rate limiter chooses, counting one more requeue.</summary>
    public void AddRateLimited(TKey key) => AddAfter(key, _rateLimiter.When(key));

    /// <summary>Clears the rate limiter's memory of <paramref name="key"/>; does not remove it from the queue.</summary>
    public void Forget(TKey key) => _rateLimiter.Forget(key);

    public int NumRequeues(TKey key) => _rateLimiter.NumRequeues(key);

    /// <inheritdoc cref="WorkQueue{TKey}.GetAsync"/>
    public ValueTask<(TKey Key, bool Shutdown)> GetAsync(CancellationToken cancellationToken = default) =>
        _queue.GetAsync(cancellationToken);

    /// <inheritdoc cref="WorkQueue{TKey}.Done"/>
    public void Done(TKey key) => _queue.Done(key);

    /// <summary>Stops accepting keys, drops keys waiting out a delay, and wakes every waiting worker.</summary>
    public void ShutDown()
    {
        _waiting.Dispose();
        _queue.ShutDown();
    }

    /// <inheritdoc cref="WorkQueue{TKey}.ShutDownWithDrainAsync"/>
    public Task ShutDownWithDrainAsync(CancellationToken cancellationToken = default)
    {
        _waiting.Dispose();
        return _queue.ShutDownWithDrainAsync(cancellationToken);
    }

    public void Dispose() => ShutDown();
}
