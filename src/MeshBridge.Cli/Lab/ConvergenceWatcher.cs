namespace MeshBridge.Cli.Lab;

/// <summary>
/// Decides when the lab has converged: the controller is idle (caches synced, nothing queued or in progress) and the
/// API server's activity count (writes and store revisions) has not moved for a quiet period. The quiet period
/// covers what "idle" cannot see: a watch event on its way to the informer, an Event written after a reconcile.
/// </summary>
internal sealed class ConvergenceWatcher(Func<bool> idle, Func<long> activity, TimeSpan quietPeriod, TimeProvider time)
{
    public static readonly TimeSpan DefaultQuietPeriod = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>The activity count as last seen converged, so <see cref="WaitForActivityAsync"/> knows what is new.</summary>
    public long ConvergedAt { get; private set; } = -1;

    public async Task WaitForConvergenceAsync(CancellationToken cancellationToken)
    {
        var seen = activity();
        var quietSince = time.GetTimestamp();
        while (true)
        {
            var now = activity();
            if (!idle() || now != seen)
            {
                seen = now;
                quietSince = time.GetTimestamp();
            }
            else if (time.GetElapsedTime(quietSince) >= quietPeriod)
            {
                ConvergedAt = seen;
                return;
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when the API server has seen a write since the last convergence.</summary>
    public async Task WaitForActivityAsync(CancellationToken cancellationToken)
    {
        while (activity() == ConvergedAt)
        {
            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
