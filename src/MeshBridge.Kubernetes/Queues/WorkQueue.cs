namespace MeshBridge.Kubernetes.Queues;

/// <summary>
/// A FIFO of keys to reconcile with client-go's <c>workqueue.Typed</c> guarantees
/// (k8s.io/client-go/util/workqueue/queue.go):
/// a key waiting in the queue is held once however often it is added; a key a worker is processing is never
/// handed to a second worker, and if it is added meanwhile it is queued again when <see cref="Done"/> is called.
/// </summary>
/// <remarks>
/// Every key taken with <see cref="GetAsync"/> must be given back with <see cref="Done"/>, or it is never
/// handed out again.
/// </remarks>
public sealed class WorkQueue<TKey>
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Queue<TKey> _queue = new();

    // dirty: keys that need processing (queued, or added again while processing); processing: keys a worker holds.
    private readonly HashSet<TKey> _dirty;
    private readonly HashSet<TKey> _processing;
    private readonly Dictionary<TKey, long> _pendingSince;
    private readonly Dictionary<TKey, long> _processingSince;
    private readonly LinkedList<TaskCompletionSource<(TKey Key, bool Shutdown)>> _waiters = new();
    private readonly TimeProvider _timeProvider;
    private readonly IWorkQueueMetrics _metrics;
    private TaskCompletionSource? _drained;
    private bool _shuttingDown;
    private long _addsTotal;

    public WorkQueue(TimeProvider timeProvider, IWorkQueueMetrics? metrics = null, IEqualityComparer<TKey>? comparer = null)
    {
        _timeProvider = timeProvider;
        _metrics = metrics ?? NullWorkQueueMetrics.Instance;
        _dirty = new HashSet<TKey>(comparer);
        _processing = new HashSet<TKey>(comparer);
        _pendingSince = new Dictionary<TKey, long>(comparer);
        _processingSince = new Dictionary<TKey, long>(comparer);
    }

    /// <summary>Keys waiting for a worker (client-go's <c>Len</c>); keys being processed are not counted.</summary>
    public int Length
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public bool ShuttingDown
    {
        get
        {
            lock (_gate)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Adds that made a key pending; adds of a key already pending are not counted, as in client-go.</summary>
    public long AddsTotal => Interlocked.Read(ref _addsTotal);

    public void Add(TKey key)
    {
        lock (_gate)
        {
            if (_shuttingDown || !_dirty.Add(key))
            {
                return;
            }

            Interlocked.Increment(ref _addsTotal);
            _pendingSince[key] = _timeProvider.GetTimestamp();
            _metrics.Added();
            if (_processing.Contains(key))
            {
                return;
            }

            _queue.Enqueue(key);
            HandOutLocked();
        }
    }

    /// <summary>
    /// The next key, waiting for one if the queue is empty. Once shut down, keys still queued are handed out
    /// (client-go's <c>Get</c> does the same); after that the result has <c>Shutdown</c> set and a default key.
    /// </summary>
    public ValueTask<(TKey Key, bool Shutdown)> GetAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<(TKey, bool)>(cancellationToken);
        }

        LinkedListNode<TaskCompletionSource<(TKey Key, bool Shutdown)>> waiter;
        lock (_gate)
        {
            if (_queue.Count > 0)
            {
                return new((TakeLocked(), false));
            }

            if (_shuttingDown)
            {
                return new((default!, true));
            }

            // Completed under the lock, so continuations must not run inline on the thread that holds it.
            waiter = _waiters.AddLast(new TaskCompletionSource<(TKey, bool)>(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        return WaitAsync(waiter, cancellationToken);
    }

    /// <summary>Ends processing of <paramref name="key"/>; if it was added meanwhile it is queued again.</summary>
    public void Done(TKey key)
    {
        lock (_gate)
        {
            // client-go re-queues a dirty key even if it was not being processed, which would queue it twice.
            if (!_processing.Remove(key))
            {
                return;
            }

            if (_processingSince.Remove(key, out var since))
            {
                _metrics.Done(_timeProvider.GetElapsedTime(since));
            }

            if (_dirty.Contains(key))
            {
                _queue.Enqueue(key);
                HandOutLocked();
            }

            if (_processing.Count == 0)
            {
                _drained?.TrySetResult();
            }
        }
    }

    /// <summary>Stops accepting keys and wakes every waiting worker; does not wait for work in progress.</summary>
    public void ShutDown()
    {
        lock (_gate)
        {
            ShutDownLocked();

            // client-go's ShutDown clears the drain flag, which lets a pending ShutDownWithDrain return.
            _drained?.TrySetResult();
        }
    }

    /// <summary>
    /// Stops accepting keys, wakes waiting workers, and completes once no key is being processed
    /// (client-go's <c>ShutDownWithDrain</c>, made awaitable rather than blocking a thread).
    /// </summary>
    public Task ShutDownWithDrainAsync(CancellationToken cancellationToken = default)
    {
        Task drained;
        lock (_gate)
        {
            ShutDownLocked();
            if (_processing.Count == 0)
            {
                return Task.CompletedTask;
            }

            if (_drained is null || _drained.Task.IsCompleted)
            {
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            drained = _drained.Task;
        }

        return drained.WaitAsync(cancellationToken);
    }

    private void ShutDownLocked()
    {
        _shuttingDown = true;

        // Waiters exist only while the queue is empty, so every one of them learns it is shutting down.
        while (_waiters.First is { } waiter)
        {
            _waiters.RemoveFirst();
            waiter.Value.TrySetResult((default!, true));
        }
    }

    private async ValueTask<(TKey Key, bool Shutdown)> WaitAsync(
        LinkedListNode<TaskCompletionSource<(TKey Key, bool Shutdown)>> waiter,
        CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => Abandon(waiter, cancellationToken));
        return await waiter.Value.Task.ConfigureAwait(false);
    }

    private void Abandon(LinkedListNode<TaskCompletionSource<(TKey Key, bool Shutdown)>> waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Already handed a key (or the shutdown flag): the caller gets it, so no key is lost to a cancellation.
            if (waiter.List is null)
            {
                return;
            }

            _waiters.Remove(waiter);
        }

        waiter.Value.TrySetCanceled(cancellationToken);
    }

    private void HandOutLocked()
    {
        while (_queue.Count > 0 && _waiters.First is { } waiter)
        {
            _waiters.RemoveFirst();
            waiter.Value.TrySetResult((TakeLocked(), false));
        }
    }

    private TKey TakeLocked()
    {
        var key = _queue.Dequeue();
        _processing.Add(key);
        _dirty.Remove(key);
        var now = _timeProvider.GetTimestamp();
        if (_pendingSince.Remove(key, out var since))
        {
            _metrics.Taken(_timeProvider.GetElapsedTime(since, now));
        }

        _processingSince[key] = now;
        return key;
    }
}
