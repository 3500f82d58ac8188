using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Kubernetes.Tests.Queues;

/// <summary>client-go delaying_queue.go and rate_limiting_queue.go semantics, on a manual clock.</summary>
public sealed class DelayedAddTests
{
    private readonly ManualTimeProvider _clock = new();

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void AddAfter_with_a_zero_or_negative_delay_adds_at_once(int seconds)
    {
        using var queue = new RateLimitingQueue<string>(_clock);

        queue.AddAfter("a", TimeSpan.FromSeconds(seconds));

        Assert.Equal(1, queue.Length);
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public void AddAfter_makes_the_key_ready_only_once_the_delay_has_passed()
    {
        using var queue = new RateLimitingQueue<string>(_clock);

        queue.AddAfter("a", TimeSpan.FromSeconds(5));

        _clock.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.Equal(0, queue.Length);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Length);
        Assert.Equal(0, queue.Waiting);
    }

    [Theory]
    [InlineData(2, 10)]
    [InlineData(10, 2)]
    public async Task Adding_a_waiting_key_again_keeps_the_earlier_ready_time_whichever_comes_first(int firstSeconds, int secondSeconds)
    {
        using var queue = new RateLimitingQueue<string>(_clock);

        queue.AddAfter("a", TimeSpan.FromSeconds(firstSeconds));
        queue.AddAfter("a", TimeSpan.FromSeconds(secondSeconds));

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, queue.Length);
        queue.Done((await queue.NextAsync()).Key);
        _clock.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public async Task Delayed_keys_become_ready_in_ready_time_order()
    {
        using var queue = new RateLimitingQueue<string>(_clock);

        queue.AddAfter("late", TimeSpan.FromSeconds(3));
        queue.AddAfter("early", TimeSpan.FromSeconds(1));
        queue.AddAfter("middle", TimeSpan.FromSeconds(2));
        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(["early", "middle", "late"], [(await queue.NextAsync()).Key, (await queue.NextAsync()).Key, (await queue.NextAsync()).Key]);
    }

    [Fact]
    public void A_delayed_key_that_is_already_queued_when_it_becomes_ready_is_queued_once()
    {
        using var queue = new RateLimitingQueue<string>(_clock);

        queue.AddAfter("a", TimeSpan.FromSeconds(1));
        queue.Add("a");
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, queue.Length);
    }

    [Fact]
    public void AddRateLimited_backs_off_exponentially_per_key_from_5_ms()
    {
        using var queue = new RateLimitingQueue<string>(_clock);

        queue.AddRateLimited("a");
        _clock.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(0, queue.Length);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Length);

        queue.AddRateLimited("b");
        queue.AddRateLimited("b");
        Assert.Equal(2, queue.NumRequeues("b"));
        Assert.Equal(1, queue.NumRequeues("a"));
    }

    [Fact]
    public async Task The_second_failure_of_a_key_waits_10_ms()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.AddRateLimited("a");
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        await queue.NextAsync();

        queue.AddRateLimited("a");
        queue.Done("a");

        _clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(0, queue.Length);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Length);
    }

    [Fact]
    public void Forget_starts_the_backoff_of_a_key_afresh()
    {
        using var queue = new RateLimitingQueue<string>(_clock);
        queue.AddRateLimited("a");
        queue.AddRateLimited("a");
        queue.AddRateLimited("a");

        queue.Forget("a");

        Assert.Equal(0, queue.NumRequeues("a"));
    }
}
