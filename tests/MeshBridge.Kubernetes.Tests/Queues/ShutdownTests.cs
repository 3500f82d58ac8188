using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Kubernetes.Tests.Queues;

/// <summary>client-go ShutDown / ShutDownWithDrain: waiters wake, adds stop, queued keys are still handed out.</summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan Timeout = QueueTestExtensions.Timeout;

    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public async Task ShutDown_wakes_every_waiting_worker_with_the_shutdown_flag()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        var first = queue.GetAsync().AsTask();
        var second = queue.GetAsync().AsTask();

        queue.ShutDown();

        Assert.True((await first.WaitAsync(Timeout)).Shutdown);
        Assert.True((await second.WaitAsync(Timeout)).Shutdown);
        Assert.True(queue.ShuttingDown);
    }

    [Fact]
    public async Task Adds_after_ShutDown_are_ignored()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.ShutDown();

        queue.Add("a");
        queue.AddAfter("b", TimeSpan.Zero);
        queue.AddRateLimited("c");

        Assert.Equal(0, queue.Length);
        Assert.True((await queue.NextAsync()).Shutdown);
    }

    [Fact]
    public async Task Keys_queued_before_ShutDown_are_still_handed_out_then_the_flag_is_set()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.Add("a");

        queue.ShutDown();

        Assert.Equal(("a", false), await queue.NextAsync());
        Assert.True((await queue.NextAsync()).Shutdown);
    }

    [Fact]
    public void ShutDown_drops_keys_waiting_out_a_delay()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.AddAfter("a", TimeSpan.FromSeconds(1));

        queue.ShutDown();
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(0, queue.Length);
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public async Task ShutDownWithDrain_completes_only_when_every_key_in_processing_is_done()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.Add("a");
        queue.Add("b");
        await queue.NextAsync();
        await queue.NextAsync();

        var drained = queue.ShutDownWithDrainAsync();
        Assert.False(drained.IsCompleted);
        queue.Done("a");
        Assert.False(drained.IsCompleted);
        queue.Done("b");

        await drained.WaitAsync(Timeout);
    }

    [Fact]
    public async Task ShutDownWithDrain_with_nothing_in_processing_completes_at_once()
    {
        using var queue = new RateLimitingQueue<string>(_clock);

        await queue.ShutDownWithDrainAsync().WaitAsync(Timeout);

        Assert.True(queue.ShuttingDown);
    }

    [Fact]
    public async Task ShutDown_releases_a_draining_shutdown()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.Add("a");
        await queue.NextAsync();
        var drained = queue.ShutDownWithDrainAsync();

        queue.ShutDown();

        await drained.WaitAsync(Timeout);
    }

    [Fact]
    public async Task ShutDownWithDrain_after_ShutDown_still_waits_for_work_in_progress()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.Add("a");
        await queue.NextAsync();
        queue.ShutDown();

        var drained = queue.ShutDownWithDrainAsync();

        Assert.False(drained.IsCompleted);
        queue.Done("a");
        await drained.WaitAsync(Timeout);
    }
}
