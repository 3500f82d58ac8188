using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Kubernetes.Tests.Queues;

/// <summary>What the queue reports for controller-runtime's workqueue metrics (client-go metrics.go).</summary>
public sealed class QueueMetricsTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly RecordingMetrics _metrics = new();

    [Fact]
    public void Adds_total_counts_only_adds_that_made_a_key_pending()
    {
        using var queue = NewQueue();

        queue.Add("a");
        queue.Add("a");
        queue.Add("b");

        Assert.Equal(2, queue.AddsTotal);
        Assert.Equal(2, _metrics.Added);
    }

    [Fact]
    public void Retries_total_counts_every_delayed_or_rate_limited_add()
    {
        using var queue = NewQueue();

        queue.AddAfter("a", TimeSpan.FromSeconds(1));
        queue.AddAfter("a", TimeSpan.Zero);
        queue.AddRateLimited("b");

        Assert.Equal(3, queue.RetriesTotal);
        Assert.Equal(3, _metrics.Retried);
    }

    [Fact]
    public async Task Time_in_queue_and_work_duration_are_measured_on_the_injected_clock()
    {
        using var queue = NewQueue();
        queue.Add("a");

        _clock.Advance(TimeSpan.FromSeconds(3));
        await queue.NextAsync();
        _clock.Advance(TimeSpan.FromSeconds(2));
        queue.Done("a");

        Assert.Equal([TimeSpan.FromSeconds(3)], _metrics.TimesInQueue);
        Assert.Equal([TimeSpan.FromSeconds(2)], _metrics.WorkDurations);
    }

    [Fact]
    public async Task A_key_added_while_processing_counts_its_wait_from_that_add()
    {
        using var queue = NewQueue();
        queue.Add("a");
        await queue.NextAsync();
        queue.Add("a");

        _clock.Advance(TimeSpan.FromSeconds(4));
        queue.Done("a");
        await queue.NextAsync();

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(4)], _metrics.TimesInQueue);
    }

    private RateLimitingQueue<string> NewQueue() => new(RateLimiters.DefaultController<string>(_clock), _clock, _metrics);

    private sealed class RecordingMetrics : IWorkQueueMetrics
    {
        public int Added { get; private set; }

        public int Retried { get; private set; }

        public List<TimeSpan> TimesInQueue { get; } = [];

        public List<TimeSpan> WorkDurations { get; } = [];

        void IWorkQueueMetrics.Added() => Added++;

        void IWorkQueueMetrics.Retried() => Retried++;

        public void Taken(TimeSpan timeInQueue) => TimesInQueue.Add(timeInQueue);

        public void Done(TimeSpan workDuration) => WorkDurations.Add(workDuration);
    }
}
