using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Kubernetes.Tests.Queues;

/// <summary>client-go default_rate_limiters.go, value for value.</summary>
public sealed class RateLimiterTests
{
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void Exponential_backoff_doubles_per_failure_from_the_base_delay()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));

        var waits = Enumerable.Range(0, 5).Select(_ => limiter.When("a").TotalMilliseconds);

        Assert.Equal([5, 10, 20, 40, 80], waits);
        Assert.Equal(5, limiter.NumRequeues("a"));
    }

    [Fact]
    public void Exponential_backoff_is_capped_at_the_max_delay_even_after_very_many_failures()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));

        var waits = Enumerable.Range(0, 200).Select(_ => limiter.When("a")).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(5) * 65536, waits[16]);
        Assert.Equal(TimeSpan.FromSeconds(1000), waits[18]);
        Assert.Equal(TimeSpan.FromSeconds(1000), waits[199]);
    }

    [Fact]
    public void Exponential_backoff_is_tracked_per_key_and_Forget_resets_one_key()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        limiter.When("a");
        limiter.When("a");
        limiter.When("b");

        limiter.Forget("a");

        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(1, limiter.NumRequeues("b"));
        Assert.Equal(TimeSpan.FromMilliseconds(1), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(2), limiter.When("b"));
    }

    [Fact]
    public void The_bucket_lets_a_burst_through_then_spaces_retries_at_its_rate()
    {
        var bucket = new BucketRateLimiter<string>(qps: 10, burst: 100, _clock);

        var burst = Enumerable.Range(0, 100).Select(i => bucket.When($"k{i}"));

        Assert.All(burst, wait => Assert.Equal(TimeSpan.Zero, wait));
        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.When("x"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), bucket.When("y"));
    }

    [Fact]
    public void The_bucket_refills_with_time_but_never_above_its_burst()
    {
        var bucket = new BucketRateLimiter<string>(qps: 10, burst: 2, _clock);
        bucket.When("a");
        bucket.When("a");
        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.When("a"));

        _clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(TimeSpan.Zero, bucket.When("a"));
        Assert.Equal(TimeSpan.Zero, bucket.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.When("a"));
    }

    [Fact]
    public void The_bucket_tracks_no_key()
    {
        var bucket = new BucketRateLimiter<string>(qps: 10, burst: 100, _clock);

        bucket.When("a");

        Assert.Equal(0, bucket.NumRequeues("a"));
    }

    [Fact]
    public void MaxOf_answers_the_longest_wait_and_asks_every_limiter()
    {
        var fixedWait = new RecordingRateLimiter(TimeSpan.FromSeconds(3));
        var shortWait = new RecordingRateLimiter(TimeSpan.FromSeconds(1));
        var limiter = new MaxOfRateLimiter<string>(shortWait, fixedWait);

        Assert.Equal(TimeSpan.FromSeconds(3), limiter.When("a"));
        Assert.Equal(1, shortWait.Calls);
        Assert.Equal(1, fixedWait.Calls);
    }

    [Fact]
    public void MaxOf_reports_the_largest_requeue_count_and_forgets_in_every_limiter()
    {
        var few = new RecordingRateLimiter(TimeSpan.Zero);
        var many = new RecordingRateLimiter(TimeSpan.Zero);
        many.When("a");
        many.When("a");
        var limiter = new MaxOfRateLimiter<string>(few, many);
        limiter.When("a");

        Assert.Equal(3, limiter.NumRequeues("a"));
        limiter.Forget("a");
        Assert.Equal(["a"], few.Forgotten);
        Assert.Equal(["a"], many.Forgotten);
    }

    [Fact]
    public void The_default_controller_limiter_starts_at_5_ms_per_key()
    {
        var limiter = RateLimiters.DefaultController<string>(_clock);

        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("b"));
    }

    [Fact]
    public void The_default_controller_limiter_holds_a_failure_storm_to_10_retries_a_second_after_a_burst_of_100()
    {
        var limiter = RateLimiters.DefaultController<string>(_clock);

        var waits = Enumerable.Range(0, 102).Select(i => limiter.When($"key-{i}")).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(5), waits[99]);
        Assert.Equal(TimeSpan.FromMilliseconds(100), waits[100]);
        Assert.Equal(TimeSpan.FromMilliseconds(200), waits[101]);
    }

    private sealed class RecordingRateLimiter(TimeSpan wait) : IRateLimiter<string>
    {
        private int _requeues;

        public int Calls { get; private set; }

        public List<string> Forgotten { get; } = [];

        public TimeSpan When(string key)
        {
            Calls++;
            _requeues++;
            return wait;
        }

        public void Forget(string key) => Forgotten.Add(key);

        public int NumRequeues(string key) => _requeues;
    }
}
