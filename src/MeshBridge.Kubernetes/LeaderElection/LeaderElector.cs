namespace MeshBridge.Kubernetes.LeaderElection;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease with client-go's algorithm
/// (k8s.io/client-go/tools/leaderelection/leaderelection.go): acquire by retrying every jittered RetryPeriod, then
/// renew every RetryPeriod until renewal has kept failing for RenewDeadline.
/// </summary>
/// <remarks>
/// Safety rests on resourceVersion: every write replaces the Lease version last read, so of two candidates that
/// read the same version only one write succeeds. Expiry is judged on this process's monotonic clock from when it
/// last saw the record change (client-go's observedTime), never from the Lease's renewTime, so clock skew between
/// nodes cannot make a candidate take over early.
/// </remarks>
public sealed class LeaderElector
{
    private readonly LeaseLock _lock;
    private readonly LeaderElectionOptions _options;
    private readonly LeaderCallbacks _callbacks;
    private readonly TimeProvider _timeProvider;
    private readonly Func<double> _random;
    private readonly Lock _gate = new();
    private LeaderElectionRecord _observedRecord = LeaderElectionRecord.Empty;
    private long _observedAt;
    private string _reportedLeader = string.Empty;
    private volatile bool _leading;
    private int _started;

    /// <param name="random">Uniform in [0, 1), for retry jitter; <see cref="Random.Shared"/> unless a test pins it.</param>
    public LeaderElector(
        ILeaseClient client,
        LeaderElectionOptions options,
        LeaderCallbacks callbacks,
        TimeProvider timeProvider,
        Func<double>? random = null)
    {
        List<string> errors = [.. options.Validate()];
        if (callbacks.OnStartedLeading is null)
        {
            errors.Add("OnStartedLeading callback must not be null");
        }

        if (callbacks.OnStoppedLeading is null)
        {
            errors.Add("OnStoppedLeading callback must not be null");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid leader election options: {string.Join("; ", errors)}", nameof(options));
        }

        _lock = new LeaseLock(client, options.Namespace, options.Name);
        _options = options;
        _callbacks = callbacks;
        _timeProvider = timeProvider;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>True from acquiring the Lease until leading ends (before <see cref="LeaderCallbacks.OnStoppedLeading"/>).</summary>
    public bool IsLeader => _leading;

    /// <summary>The holder in the Lease as last observed; empty when nobody holds it or nothing was read yet.</summary>
    public string GetLeader()
    {
        lock (_gate)
        {
            return _observedRecord.HolderIdentity;
        }
    }

    /// <summary>
    /// Contends until this candidate leads, leads until the Lease is lost or <paramref name="cancellationToken"/> is
    /// cancelled, then returns. Returns without calling any leading callback if cancelled before acquiring. Call once.
    /// </summary>
    /// <exception cref="Exception">Whatever <see cref="LeaderCallbacks.OnStartedLeading"/> failed with, after the cleanup.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The observed record and the lock's cached Lease belong to one election loop; a second would race the first.
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("RunAsync was already called on this elector; create a new one to run again");
        }

        if (!await AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        _leading = true;
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => _callbacks.OnStartedLeading(leading.Token), CancellationToken.None);
        try
        {
            await RenewAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _leading = false;
            await leading.CancelAsync().ConfigureAwait(false);

            // Released only once the guarded work has returned: client-go leaves that to the caller of ReleaseOnCancel.
            await work.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_options.ReleaseOnCancel)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }

            _callbacks.OnStoppedLeading();
        }

        if (work.IsFaulted)
        {
            await work.ConfigureAwait(false);
        }
    }

    /// <summary>client-go's acquire: wait.JitterUntil(tryAcquireOrRenew, RetryPeriod, JitterFactor, sliding).</summary>
    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var acquired = await TryAcquireOrRenewAsync(static () => Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            ReportTransition();
            if (acquired)
            {
                return true;
            }

            var jitter = _options.RetryPeriod * (_random() * LeaderElectionOptions.JitterFactor);
            await DelayAsync(_options.RetryPeriod + jitter, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// client-go's renew: every RetryPeriod, a round that tries at once and then every RetryPeriod until it succeeds
    /// or RenewDeadline has passed since the round began (wait.PollUntilContextTimeout). A failed round ends leading.
    /// </summary>
    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        while (await RenewWithinDeadlineAsync(cancellationToken).ConfigureAwait(false))
        {
            await DelayAsync(_options.RetryPeriod, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> RenewWithinDeadlineAsync(CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        TimeSpan Remaining() => _options.RenewDeadline - _timeProvider.GetElapsedTime(started);

        while (!cancellationToken.IsCancellationRequested && Remaining() > TimeSpan.Zero)
        {
            var renewed = await TryAcquireOrRenewAsync(Remaining, cancellationToken).ConfigureAwait(false);
            ReportTransition();
            if (renewed)
            {
                return !cancellationToken.IsCancellationRequested;
            }

            var wait = Remaining() < _options.RetryPeriod ? Remaining() : _options.RetryPeriod;
            if (wait > TimeSpan.Zero)
            {
                await DelayAsync(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        return false;
    }

    /// <summary>client-go's tryAcquireOrRenew, step for step.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(Func<TimeSpan> remaining, CancellationToken cancellationToken)
    {
        var now = LeaderElectionRecord.MicroTime(_timeProvider.GetUtcNow());
        var desired = new LeaderElectionRecord(_options.Identity, (int)_options.LeaseDuration.TotalSeconds, now, now, 0);

        // 1. Fast path: the leader updates the version it last wrote, assuming nobody else has written since.
        var (observed, holdsObserved, observedValid) = Observation();
        if (holdsObserved && observedValid)
        {
            var renewal = desired with { AcquireTime = observed.AcquireTime, LeaseTransitions = observed.LeaseTransitions };
            if (await TryCallAsync(t => _lock.UpdateAsync(renewal, t), remaining, cancellationToken).ConfigureAwait(false))
            {
                SetObserved(renewal);
                return true;
            }
        }

        // 2. Read the record; create it when there is none.
        var (read, current) = await TryGetAsync(remaining, cancellationToken).ConfigureAwait(false);
        if (!read)
        {
            return false;
        }

        if (current is null)
        {
            if (!await TryCallAsync(t => _lock.CreateAsync(desired, t), remaining, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            SetObserved(desired);
            return true;
        }

        // 3. A change restarts the expiry clock; an unexpired Lease held by someone else means wait.
        if (current != observed)
        {
            SetObserved(current);
        }

        (_, holdsObserved, observedValid) = Observation();
        if (current.HolderIdentity.Length > 0 && observedValid && !holdsObserved)
        {
            return false;
        }

        // 4. Renew (keeping acquireTime and transitions) or take over (one more transition).
        var update = holdsObserved
            ? desired with { AcquireTime = current.AcquireTime, LeaseTransitions = current.LeaseTransitions }
            : desired with { LeaseTransitions = current.LeaseTransitions + 1 };
        if (!await TryCallAsync(t => _lock.UpdateAsync(update, t), remaining, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        SetObserved(update);
        return true;
    }

    /// <summary>
    /// client-go's release: with a fresh RenewDeadline (the run's token is already cancelled), write an empty holder
    /// and a one-second duration so successors need not wait out the Lease.
    /// </summary>
    private async Task ReleaseAsync()
    {
        var started = _timeProvider.GetTimestamp();
        TimeSpan Remaining() => _options.RenewDeadline - _timeProvider.GetElapsedTime(started);

        // client-go checks only its cached record; checking the fresh one never blanks a successor's Lease.
        var (read, current) = await TryGetAsync(Remaining, CancellationToken.None).ConfigureAwait(false);
        if (!read || current is null || current.HolderIdentity != _options.Identity)
        {
            return;
        }

        var now = LeaderElectionRecord.MicroTime(_timeProvider.GetUtcNow());
        var released = new LeaderElectionRecord(string.Empty, 1, now, now, current.LeaseTransitions);
        if (await TryCallAsync(t => _lock.UpdateAsync(released, t), Remaining, CancellationToken.None).ConfigureAwait(false))
        {
            SetObserved(released);
        }
    }

    private async Task<(bool Read, LeaderElectionRecord? Record)> TryGetAsync(Func<TimeSpan> remaining, CancellationToken cancellationToken)
    {
        LeaderElectionRecord? record = null;
        var read = await TryCallAsync(
            async t => { record = await _lock.GetAsync(t).ConfigureAwait(false); },
            remaining,
            cancellationToken).ConfigureAwait(false);
        return (read, record);
    }

    /// <summary>
    /// Runs one API call within the time left. Any failure (an error status, a 409, a timeout, cancellation) means
    /// "not this time": client-go logs it and tries again on the next period.
    /// </summary>
    private async Task<bool> TryCallAsync(Func<CancellationToken, Task> call, Func<TimeSpan> remaining, CancellationToken cancellationToken)
    {
        var budget = remaining();
        if (budget <= TimeSpan.Zero && budget != Timeout.InfiniteTimeSpan)
        {
            return false;
        }

        using var callCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // WaitAsync arms a timer only while the call is still running, so a prompt answer costs none.
            await call(callCancellation.Token).WaitAsync(budget, _timeProvider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception)
        {
            await callCancellation.CancelAsync().ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Waits on the injected clock; cancellation just ends the wait, and the caller checks the token.</summary>
    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private (LeaderElectionRecord Record, bool HeldBySelf, bool Valid) Observation()
    {
        lock (_gate)
        {
            var valid = _timeProvider.GetElapsedTime(_observedAt) < TimeSpan.FromSeconds(_observedRecord.LeaseDurationSeconds);
            return (_observedRecord, _observedRecord.HolderIdentity == _options.Identity, valid);
        }
    }

    private void SetObserved(LeaderElectionRecord record)
    {
        lock (_gate)
        {
            _observedRecord = record;
            _observedAt = _timeProvider.GetTimestamp();
        }
    }

    /// <summary>client-go's maybeReportTransition: tell OnNewLeader once per change of observed holder.</summary>
    private void ReportTransition()
    {
        string holder;
        lock (_gate)
        {
            holder = _observedRecord.HolderIdentity;
            if (holder == _reportedLeader)
            {
                return;
            }

            _reportedLeader = holder;
        }

        if (holder.Length > 0)
        {
            _callbacks.OnNewLeader?.Invoke(holder);
        }
    }
}
