using MeshBridge.Kubernetes.LeaderElection;

namespace MeshBridge.Kubernetes.Tests.LeaderElection;

/// <summary>One elector running in the background, with its callbacks recorded for assertions.</summary>
internal sealed class Candidate : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _cancellation = new();
    private readonly Leadership? _leadership;
    private readonly Func<CancellationToken, Task>? _work;
    private Task? _run;
    private CancellationToken _leadingToken;
    private int _stoppedCount;

    public Candidate(
        string identity,
        ILeaseClient client,
        ManualTimeProvider clock,
        Func<LeaderElectionOptions, LeaderElectionOptions>? configure = null,
        Leadership? leadership = null,
        Func<double>? random = null,
        Func<CancellationToken, Task>? work = null)
    {
        _leadership = leadership;
        _work = work;
        var options = new LeaderElectionOptions { Namespace = "meshbridge-system", Name = "meshbridge-leader", Identity = identity };
        var callbacks = new LeaderCallbacks
        {
            OnStartedLeading = LeadAsync,
            OnStoppedLeading = () =>
            {
                Interlocked.Increment(ref _stoppedCount);
                Stopped.TrySetResult();
            },
            OnNewLeader = NewLeaders.Add,
        };
        Elector = new LeaderElector(client, configure?.Invoke(options) ?? options, callbacks, clock, random ?? (() => 0));
    }

    public LeaderElector Elector { get; }

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int StoppedCount => Volatile.Read(ref _stoppedCount);

    public CancellationToken LeadingToken => _leadingToken;

    /// <summary>Holders reported to OnNewLeader; written only by the election loop.</summary>
    public List<string> NewLeaders { get; } = [];

    public Task Run => _run ?? throw new InvalidOperationException("the candidate was not started");

    public Candidate Start()
    {
        _run = Task.Run(() => Elector.RunAsync(_cancellation.Token));
        return this;
    }

    public async Task WhenLeadingAsync() => await Started.Task.WaitAsync(Timeout);

    /// <summary>Cancels the run and waits until it has returned, as a process shutting down would.</summary>
    public async Task StopAsync()
    {
        await _cancellation.CancelAsync();
        await Run.WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await _cancellation.CancelAsync();
        if (_run is not null)
        {
            // Bounded, so a run that never ends fails its test instead of hanging the whole test run.
            await _run.WaitAsync(Timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _cancellation.Dispose();
    }

    private async Task LeadAsync(CancellationToken leadingToken)
    {
        _leadingToken = leadingToken;
        _leadership?.Enter();
        try
        {
            Started.TrySetResult();
            if (_work is not null)
            {
                await _work(leadingToken);
                return;
            }

            // Leads until told to stop, like a controller manager would.
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, leadingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            _leadership?.Exit();
        }
    }
}
