using MeshBridge.Cli.Lab;

namespace MeshBridge.Tests.Cli.Lab;

public sealed class ConvergenceWatcherTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    private readonly ManualTimeProvider time = new();
    private bool idle = true;
    private long activity;

    private ConvergenceWatcher Watcher() => new(() => idle, () => activity, Quiet, time);

    /// <summary>Moves the clock one poll at a time, each time after the watcher has looked and parked on its next poll.</summary>
    private async Task PollAsync(Task waiting, int polls)
    {
        for (var i = 0; i < polls; i++)
        {
            await ParkedAsync();
            Assert.False(waiting.IsCompleted, $"finished after {i} polls");
            time.Advance(Poll);
        }
    }

    /// <summary>Completes once the watcher has looked at the current instant and waits for the next poll.</summary>
    private Task ParkedAsync() => time.WhenArmedTimersAsync(1).WaitAsync(TimeSpan.FromSeconds(10));

    [Fact]
    public async Task An_idle_controller_and_a_quiet_API_server_converge_after_the_quiet_period_and_not_before()
    {
        var watcher = Watcher();
        var converged = watcher.WaitForConvergenceAsync(CancellationToken.None);

        await PollAsync(converged, 20);

        await converged.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_API_write_restarts_the_quiet_period()
    {
        var converged = Watcher().WaitForConvergenceAsync(CancellationToken.None);
        await PollAsync(converged, 15);
        await ParkedAsync();

        activity++;
        await PollAsync(converged, 21);

        await converged.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_busy_controller_holds_convergence_however_quiet_the_API_server_is()
    {
        idle = false;
        var converged = Watcher().WaitForConvergenceAsync(CancellationToken.None);
        await PollAsync(converged, 40);
        await ParkedAsync();

        idle = true;
        await PollAsync(converged, 20);

        await converged.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task After_converging_it_waits_for_the_next_write()
    {
        var watcher = Watcher();
        var converged = watcher.WaitForConvergenceAsync(CancellationToken.None);
        await PollAsync(converged, 20);
        await converged.WaitAsync(TimeSpan.FromSeconds(10));

        var next = watcher.WaitForActivityAsync(CancellationToken.None);
        await PollAsync(next, 10);
        await ParkedAsync();
        activity++;
        time.Advance(Poll);

        await next.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
