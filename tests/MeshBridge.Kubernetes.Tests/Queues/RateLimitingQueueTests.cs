using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Kubernetes.Tests.Queues;

/// <summary>client-go queue.go semantics: dedupe, FIFO, one worker per key, dirty keys re-queued on Done.</summary>
public sealed class RateLimitingQueueTests
{
    private static readonly TimeSpan Timeout = QueueTestExtensions.Timeout;

    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public async Task A_key_added_twice_while_queued_is_processed_once()
    {
        using var queue = new RateLimitingQueue<string>(_clock);

        queue.Add("a");
        queue.Add("a");

        Assert.Equal(1, queue.Length);
        var (key, _) = await queue.NextAsync();
        Assert.Equal("a", key);
        Assert.Equal(0, queue.Length);
        queue.Done("a");
        Assert.False(queue.GetAsync().IsCompleted);
    }

    [Fact]
    public async Task Keys_are_handed_out_in_the_order_they_were_first_added()
    {
        using var queue = new RateLimitingQueue<string>(_clock);

        foreach (var key in new[] { "c", "a", "b", "a", "c" })
        {
            queue.Add(key);
        }

        Assert.Equal(["c", "a", "b"], [(await queue.NextAsync()).Key, (await queue.NextAsync()).Key, (await queue.NextAsync()).Key]);
    }

    [Fact]
    public async Task A_key_added_while_processing_is_not_handed_to_a_second_worker_until_Done()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.Add("a");
        var (first, _) = await queue.NextAsync();

        queue.Add("a");
        var second = queue.GetAsync();

        Assert.False(second.IsCompleted);
        Assert.Equal(0, queue.Length);
        queue.Done(first);
        var (again, shutdown) = await second.AsTask().WaitAsync(Timeout);
        Assert.Equal(("a", false), (again, shutdown));
    }

    [Fact]
    public async Task A_key_added_many_times_while_processing_is_queued_again_once()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.Add("a");
        await queue.NextAsync();

        queue.Add("a");
        queue.Add("a");
        queue.Done("a");

        Assert.Equal(1, queue.Length);
        await queue.NextAsync();
        queue.Done("a");
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public async Task A_key_added_while_processing_goes_behind_keys_queued_meanwhile()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.Add("a");
        await queue.NextAsync();

        queue.Add("a");
        queue.Add("b");
        queue.Done("a");

        Assert.Equal("b", (await queue.NextAsync()).Key);
        Assert.Equal("a", (await queue.NextAsync()).Key);
    }

    [Fact]
    public async Task A_waiting_worker_receives_a_key_as_soon_as_it_is_added()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        var waiting = queue.GetAsync();
        Assert.False(waiting.IsCompleted);

        queue.Add("a");

        Assert.Equal(("a", false), await waiting.AsTask().WaitAsync(Timeout));
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public async Task Waiting_workers_are_served_in_the_order_they_asked()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        var first = queue.GetAsync().AsTask();
        var second = queue.GetAsync().AsTask();

        queue.Add("a");
        queue.Add("b");

        Assert.Equal("a", (await first.WaitAsync(Timeout)).Key);
        Assert.Equal("b", (await second.WaitAsync(Timeout)).Key);
    }

    [Fact]
    public async Task A_cancelled_wait_does_not_swallow_the_next_key()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        using var cts = new CancellationTokenSource();
        var abandoned = queue.GetAsync(cts.Token).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Timeout));
        queue.Add("a");

        Assert.Equal(1, queue.Length);
        Assert.Equal("a", (await queue.NextAsync()).Key);
    }

    [Fact]
    public async Task Done_for_a_key_that_is_not_being_processed_does_not_queue_it_twice()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.Add("a");

        queue.Done("a");

        Assert.Equal(1, queue.Length);
        await queue.NextAsync();
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public void Keys_compare_with_the_given_comparer()
    {
        using var queue = new RateLimitingQueue<string>(
            RateLimiters.DefaultController<string>(_clock, StringComparer.OrdinalIgnoreCase), _clock, comparer: StringComparer.OrdinalIgnoreCase);

        queue.Add("ns/Name");
        queue.Add("NS/name");

        Assert.Equal(1, queue.Length);
    }
}
