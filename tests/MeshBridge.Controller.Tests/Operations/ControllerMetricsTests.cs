using MeshBridge.Controller.Operations;
using MeshBridge.Controller.Reconcilers;
using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Controller.Tests.Operations;

public sealed class ControllerMetricsTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly ControllerMetrics _metrics = new(new MetricsRegistry());

    [Fact]
    public async Task A_real_queue_reports_adds_depth_durations_and_retries()
    {
        using var queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(_clock), _clock, _metrics.ForQueue("ingress"));

        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        Assert.Equal(2, Adds());
        Assert.Equal(2, Depth());

        _clock.Advance(TimeSpan.FromSeconds(3));
        var (key, _) = await queue.GetAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("a", key);
        Assert.Equal(1, Depth());
        var waited = _metrics.WorkQueueQueueDuration.WithLabels("ingress").Snapshot();
        Assert.Equal((1L, 3.0), (waited.Count, waited.Sum));

        _clock.Advance(TimeSpan.FromSeconds(2));
        queue.Done("a");
        var worked = _metrics.WorkQueueWorkDuration.WithLabels("ingress").Snapshot();
        Assert.Equal((1L, 2.0), (worked.Count, worked.Sum));

        // client-go's default limiter: 5 ms for a key's first failure.
        queue.AddRateLimited("a");
        Assert.Equal(1, _metrics.WorkQueueRetries.WithLabels("ingress").Value);
        Assert.Equal(1, Depth());
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(3, Adds());
        Assert.Equal(2, Depth());
    }

    [Fact]
    public async Task Queue_durations_land_in_the_right_workqueue_buckets()
    {
        using var queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(_clock), _clock, _metrics.ForQueue("q"));
        queue.Add("k");
        _clock.Advance(TimeSpan.FromSeconds(3));
        await queue.GetAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        var counts = _metrics.WorkQueueQueueDuration.WithLabels("q").Snapshot().CumulativeCounts;
        var upToOne = ControllerMetrics.WorkQueueBuckets.ToList().IndexOf(1);

        Assert.Equal(0, counts[upToOne]);
        Assert.Equal(1, counts[upToOne + 1]);
    }

    [Fact]
    public void Workqueue_bucket_bounds_read_exactly_as_a_Go_controller_writes_them()
    {
        _metrics.ForQueue("q").Taken(TimeSpan.Zero);

        var text = _metrics.Registry.Export();
        string[] expected = ["1e-08", "1e-07", "1e-06", "9.999999999999999e-06", "9.999999999999999e-05", "0.001", "0.01", "0.1", "1", "10", "100", "1000", "+Inf"];
        foreach (var le in expected)
        {
            Assert.Contains($"workqueue_queue_duration_seconds_bucket{{name=\"q\",le=\"{le}\"}}", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Registering_a_controller_shows_every_result_at_zero_and_its_worker_limit()
    {
        _metrics.RegisterController("ingress", maxConcurrentReconciles: 3);

        var text = _metrics.Registry.Export();
        foreach (var result in new[] { "success", "error", "requeue", "requeue_after" })
        {
            Assert.Contains($"controller_runtime_reconcile_total{{controller=\"ingress\",result=\"{result}\"}} 0\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("controller_runtime_reconcile_errors_total{controller=\"ingress\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("controller_runtime_max_concurrent_reconciles{controller=\"ingress\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("controller_runtime_active_workers{controller=\"ingress\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_counts_in_reconcile_total_and_errors_and_every_reconcile_is_timed()
    {
        _metrics.ReconcileCompleted("ingress", ReconcileOutcome.Error, TimeSpan.FromMilliseconds(30));
        _metrics.ReconcileCompleted("ingress", ReconcileOutcome.RequeueAfter, TimeSpan.FromMilliseconds(20));

        Assert.Equal(1, _metrics.ReconcileTotal.WithLabels("ingress", "error").Value);
        Assert.Equal(1, _metrics.ReconcileTotal.WithLabels("ingress", "requeue_after").Value);
        Assert.Equal(1, _metrics.ReconcileErrors.WithLabels("ingress").Value);
        Assert.Equal(2, _metrics.ReconcileTime.WithLabels("ingress").Snapshot().Count);
    }

    [Theory]
    [InlineData(false, 0, false, ReconcileOutcome.Success)]
    [InlineData(true, 0, false, ReconcileOutcome.Requeue)]
    [InlineData(true, 5, false, ReconcileOutcome.RequeueAfter)]
    [InlineData(false, 5, true, ReconcileOutcome.Error)]
    public void Outcomes_are_classified_in_controller_runtime_order(bool requeue, int afterSeconds, bool failed, ReconcileOutcome expected)
    {
        var result = new ReconcileResult(requeue, afterSeconds > 0 ? TimeSpan.FromSeconds(afterSeconds) : null);

        Assert.Equal(expected, ControllerMetrics.Classify(result, failed ? new InvalidOperationException() : null));
    }

    [Fact]
    public void Workers_are_counted_up_and_down()
    {
        _metrics.WorkerStarted("ingress");
        _metrics.WorkerStarted("ingress");
        _metrics.WorkerStopped("ingress");

        Assert.Equal(1, _metrics.ActiveWorkers.WithLabels("ingress").Value);
    }

    [Fact]
    public void MeshBridge_series_carry_their_labels()
    {
        _metrics.RecordWrite("virtualservers", "patch");
        _metrics.RecordConflict("field-manager");
        _metrics.SetCertificateExpiration("nginx-ingress", "nic", new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero));
        _metrics.RecordCertificateRenewalFailure("nginx-ingress", "nic");

        var text = _metrics.Registry.Export();
        Assert.Contains("meshbridge_writes_total{resource=\"virtualservers\",verb=\"patch\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("meshbridge_conflicts_total{reason=\"field-manager\"} 1\n", text, StringComparison.Ordinal);
        Assert.Equal(1_767_312_000, _metrics.CertificateExpiration.WithLabels("nginx-ingress", "nic").Value);
        Assert.Contains("meshbridge_certificate_expiration_timestamp_seconds{namespace=\"nginx-ingress\",service_account=\"nic\"} 1.767312e+09\n", text, StringComparison.Ordinal);
        Assert.Contains("meshbridge_certificate_renewal_failures_total{namespace=\"nginx-ingress\",service_account=\"nic\"} 1\n", text, StringComparison.Ordinal);
    }

    private double Adds() => _metrics.WorkQueueAdds.WithLabels("ingress").Value;

    private double Depth() => _metrics.WorkQueueDepth.WithLabels("ingress").Value;
}
