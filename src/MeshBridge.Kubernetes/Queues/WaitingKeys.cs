namespace MeshBridge.Kubernetes.Queues;

/// <summary>
/// Keys waiting for their ready time, released in ready-time order by one <see cref="TimeProvider"/> timer:
/// the waiting loop of client-go's delaying queue (k8s.io/client-go/util/workqueue/delaying_queue.go).
/// </summary>
internal sealed class WaitingKeys<TKey> : IDisposable
    where TKey : notnull
{
    private static readonly IComparer<Entry> ByReadyTime = Comparer<Entry>.Create(
        static (a, b) => a.ReadyAt != b.ReadyAt ? a.ReadyAt.CompareTo(b.ReadyAt) : a.Sequence.CompareTo(b.Sequence));

    private readonly Lock _gate = new();
    private readonly SortedSet<Entry> _byReadyTime = new(ByReadyTime);
    private readonly Dictionary<TKey, Entry> _entries;
    private readonly TimeProvider _timeProvider;
    private readonly Action<TKey> _ready;
    private readonly ITimer _timer;
    private long _sequence;
    private bool _stopped;

    public WaitingKeys(TimeProvider timeProvider, Action<TKey> ready, IEqualityComparer<TKey>? comparer)
    {
        _timeProvider = timeProvider;
        _ready = ready;
        _entries = new Dictionary<TKey, Entry>(comparer);
        _timer = timeProvider.CreateTimer(static state => ((WaitingKeys<TKey>)state!).Release(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public void Add(TKey key, TimeSpan delay)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            var readyAt = _timeProvider.GetUtcNow() + delay;

            // client-go keeps the earliest ready time when a waiting key is added again.
            if (_entries.TryGetValue(key, out var existing))
            {
                if (existing.ReadyAt <= readyAt)
                {
                    return;
                }

                _byReadyTime.Remove(existing);
            }

            var entry = new Entry(readyAt, _sequence++, key);
            _entries[key] = entry;
            _byReadyTime.Add(entry);
            if (ByReadyTime.Compare(_byReadyTime.Min, entry) == 0)
            {
                ArmLocked(delay);
            }
        }
    }

    /// <summary>Drops every waiting key and stops the timer, as closing client-go's stop channel does.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            _entries.Clear();
            _byReadyTime.Clear();
        }

        _timer.Dispose();
    }

    private void Release()
    {
        List<TKey> ready = [];
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            var now = _timeProvider.GetUtcNow();
            while (_byReadyTime.Count > 0 && _byReadyTime.Min.ReadyAt <= now)
            {
                var entry = _byReadyTime.Min;
                _byReadyTime.Remove(entry);
                _entries.Remove(entry.Key);
                ready.Add(entry.Key);
            }

            if (_byReadyTime.Count > 0)
            {
                ArmLocked(_byReadyTime.Min.ReadyAt - now);
            }
        }

        // Outside the lock: the queue takes its own lock, and the two must never nest in both orders.
        foreach (var key in ready)
        {
            _ready(key);
        }
    }

    private void ArmLocked(TimeSpan dueIn)
    {
        // Whole milliseconds, rounded up: System.Threading.Timer truncates to milliseconds, and a timer that fires
        // before the ready time would only re-arm itself in a busy loop.
        var milliseconds = (dueIn.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        _timer.Change(TimeSpan.FromMilliseconds(Math.Max(1, milliseconds)), Timeout.InfiniteTimeSpan);
    }

    private readonly record struct Entry(DateTimeOffset ReadyAt, long Sequence, TKey Key);
}
