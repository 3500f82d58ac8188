using System.Globalization;
using System.Text.Json;
using MeshBridge.Controller.Operations;
using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Controller.Tests.Operations;

/// <summary>The /metrics text, as served over HTTP, read back by a parser MeshBridge did not write.</summary>
public sealed class PrometheusParserJudgeTests
{
    [Fact]
    public async Task An_independent_parser_reads_every_family_of_the_served_metrics_with_its_type()
    {
        var metrics = await PopulatedMetricsAsync();

        var families = await PrometheusTextParser.ParseAsync(await ScrapeAsync(metrics.Registry));

        var types = families.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("type").GetString()!);
        Assert.Equal("COUNTER", types["controller_runtime_reconcile_total"]);
        Assert.Equal("COUNTER", types["controller_runtime_reconcile_errors_total"]);
        Assert.Equal("HISTOGRAM", types["controller_runtime_reconcile_time_seconds"]);
        Assert.Equal("GAUGE", types["controller_runtime_active_workers"]);
        Assert.Equal("GAUGE", types["controller_runtime_max_concurrent_reconciles"]);
        Assert.Equal("GAUGE", types["workqueue_depth"]);
        Assert.Equal("COUNTER", types["workqueue_adds_total"]);
        Assert.Equal("COUNTER", types["workqueue_retries_total"]);
        Assert.Equal("HISTOGRAM", types["workqueue_queue_duration_seconds"]);
        Assert.Equal("HISTOGRAM", types["workqueue_work_duration_seconds"]);
        Assert.Equal("COUNTER", types["meshbridge_writes_total"]);
        Assert.Equal("COUNTER", types["meshbridge_conflicts_total"]);
        Assert.Equal("GAUGE", types["meshbridge_certificate_expiration_timestamp_seconds"]);
        Assert.Equal("COUNTER", types["meshbridge_certificate_renewal_failures_total"]);
        Assert.Equal(14, types.Count);
    }

    [Fact]
    public async Task The_parser_reads_a_histogram_as_cumulative_buckets_with_sum_and_count()
    {
        var registry = new MetricsRegistry();
        var histogram = registry.CreateHistogram("sync_seconds", "Sync time.", [0.1, 1]);
        foreach (var value in new[] { 0.05, 0.5, 7 })
        {
            histogram.Observe(value);
        }

        // This parser keeps sum and count only for a histogram without labels (its flattenMetrics), hence one here.
        var sync = Family(await PrometheusTextParser.ParseAsync(await ScrapeAsync(registry)), "sync_seconds").GetProperty("metrics")[0];

        var buckets = sync.GetProperty("buckets").EnumerateObject().ToDictionary(b => b.Name, b => Number(b.Value));
        Assert.Equal(new Dictionary<string, double> { ["0.1"] = 1, ["1"] = 2, ["+Inf"] = 3 }, buckets);
        Assert.Equal(7.55, Number(sync.GetProperty("sum")), 10);
        Assert.Equal(3, Number(sync.GetProperty("count")));
    }

    [Fact]
    public async Task The_parser_reads_every_workqueue_bucket_bound_with_cumulative_counts()
    {
        var metrics = await PopulatedMetricsAsync();

        var families = await PrometheusTextParser.ParseAsync(await ScrapeAsync(metrics.Registry));

        var queued = Family(families, "workqueue_queue_duration_seconds").GetProperty("metrics")[0];
        var buckets = queued.GetProperty("buckets").EnumerateObject().ToDictionary(b => b.Name, b => Number(b.Value));
        string[] bounds = ["1e-08", "1e-07", "1e-06", "9.999999999999999e-06", "9.999999999999999e-05", "0.001", "0.01", "0.1", "1", "10", "100", "1000", "+Inf"];

        // A JavaScript object lists integer-like keys first, so compare the bounds as a set.
        Assert.Equal(bounds.Order(StringComparer.Ordinal), buckets.Keys.Order(StringComparer.Ordinal));

        // The key waited 3 s: outside le=1, inside le=10 and every bound above.
        Assert.Equal(0, buckets["1"]);
        Assert.Equal(1, buckets["10"]);
        Assert.Equal(1, buckets["+Inf"]);
    }

    [Fact]
    public async Task The_parser_recovers_label_values_with_backslashes_quotes_and_newlines_exactly()
    {
        var metrics = new ControllerMetrics(new MetricsRegistry());
        const string Awkward = "C:\\certs \"primary\"\nline two";
        metrics.RecordConflict(Awkward);

        var families = await PrometheusTextParser.ParseAsync(await ScrapeAsync(metrics.Registry));

        var conflict = Family(families, "meshbridge_conflicts_total").GetProperty("metrics")[0];
        Assert.Equal(Awkward, conflict.GetProperty("labels").GetProperty("reason").GetString());
        Assert.Equal(1, Number(conflict.GetProperty("value")));
    }

    private static async Task<ControllerMetrics> PopulatedMetricsAsync()
    {
        var clock = new ManualTimeProvider();
        var metrics = new ControllerMetrics(new MetricsRegistry());
        metrics.RegisterController("ingress", 2);
        using var queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(clock), clock, metrics.ForQueue("ingress"));
        queue.Add("default/web");
        clock.Advance(TimeSpan.FromSeconds(3));
        var (key, _) = await queue.GetAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromMilliseconds(40));
        queue.Done(key);
        queue.AddRateLimited(key);
        metrics.ReconcileCompleted("ingress", ReconcileOutcome.Error, TimeSpan.FromMilliseconds(40));
        metrics.RecordWrite("virtualservers", "patch");
        metrics.RecordConflict("field-manager");
        metrics.SetCertificateExpiration("nginx-ingress", "nic", clock.GetUtcNow().AddHours(24));
        metrics.RecordCertificateRenewalFailure("nginx-ingress", "nic");
        return metrics;
    }

    private static async Task<string> ScrapeAsync(MetricsRegistry registry)
    {
        var options = new OperationsServerOptions { MetricsBindAddress = "127.0.0.1:0", HealthProbeBindAddress = "0" };
        await using var server = await OperationsServer.StartAsync(options, registry, () => ReadinessStatus.Ready);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(new Uri(server.MetricsAddress!, "/metrics"));
    }

    private static JsonElement Family(JsonElement families, string name) =>
        families.EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);

    // The parser keeps sample values as the strings it read; a value that is no number fails here.
    private static double Number(JsonElement value) =>
        double.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
}
