namespace MeshBridge.Testing;

/// <summary>
/// A clock that moves only when a test calls <see cref="Advance"/>. Timers created through <see cref="CreateTimer"/>
/// fire on the calling thread inside <see cref="Advance"/>, in due-time order, with the clock set to each one's due
/// time (as Microsoft.Extensions.TimeProvider.Testing's FakeTimeProvider does; that package is not obtainable here).
/// </summary>
/// <remarks>
/// Code under test usually continues on another thread after its timer fires; <see cref="WhenArmedTimersAsync"/>
/// lets a test wait until that code has parked on its next timer before moving the clock again.
/// </remarks>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _armedWaiters = [];
    private DateTimeOffset _now;
    private long _elapsedTicks;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>
    /// Timers that will fire on some <see cref="Advance"/> (created or changed with a finite due time). A due time of
    /// zero fires on the next <see cref="Advance"/>, even <c>Advance(TimeSpan.Zero)</c>, never inside <see cref="CreateTimer"/>.
    /// </summary>
    public int ArmedTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _elapsedTicks;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves only the wall clock (<see cref="GetUtcNow"/>), either way, as a clock correction does; timestamps stay,
    /// for clock-skew tests that arm no timers (a token issued "in the future").
    /// </summary>
    public void JumpWallClock(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, each at its own due time.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (NextDue(target) is { } timer)
        {
            timer.Fire();
        }

        lock (_gate)
        {
            MoveToLocked(target);
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> timers are armed.</summary>
    public Task WhenArmedTimersAsync(int count)
    {
        lock (_gate)
        {
            if (ArmedLocked() >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _armedWaiters.Add((count, signal));
            return signal.Task;
        }
    }

    private ManualTimer? NextDue(DateTimeOffset target)
    {
        lock (_gate)
        {
            var next = _timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt);
            if (next is not null)
            {
                MoveToLocked(next.DueAt!.Value);
                next.OnFiringLocked();
                SignalArmedWaitersLocked();
            }

            return next;
        }
    }

    private void MoveToLocked(DateTimeOffset time)
    {
        if (time > _now)
        {
            _elapsedTicks += (time - _now).Ticks;
            _now = time;
        }
    }

    private int ArmedLocked() => _timers.Count(t => t.DueAt is not null);

    private void SignalArmedWaitersLocked()
    {
        var armed = ArmedLocked();
        for (var i = _armedWaiters.Count - 1; i >= 0; i--)
        {
            if (_armedWaiters[i].Count <= armed)
            {
                _armedWaiters[i].Signal.TrySetResult();
                _armedWaiters.RemoveAt(i);
            }
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        /// <summary>When the timer fires next; null while disarmed. Guarded by the owner's lock.</summary>
        public DateTimeOffset? DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (_disposed)
                {
                    return false;
                }

                _period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                owner.SignalArmedWaitersLocked();
                return true;
            }
        }

        public void OnFiringLocked() =>
            DueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : DueAt + _period;

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                _disposed = true;
                DueAt = null;
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
