using System.Text;

namespace MeshBridge.Controller.Operations;

/// <summary>
/// The metrics a process exposes, written in the Prometheus text exposition format 0.0.4. Families are written in
/// name order and series in label-value order, as client_golang's registry writes them. Safe from any thread.
/// </summary>
public sealed class MetricsRegistry
{
    /// <summary>The content type of <see cref="WriteTo"/>'s output, as Prometheus negotiates it.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Metric> _metrics = new(StringComparer.Ordinal);

    public Counter CreateCounter(string name, string help, params string[] labelNames) =>
        Register(new Counter(name, help, labelNames));

    public Gauge CreateGauge(string name, string help, params string[] labelNames) =>
        Register(new Gauge(name, help, labelNames));

    public Histogram CreateHistogram(string name, string help, IEnumerable<double> buckets, params string[] labelNames) =>
        Register(new Histogram(name, help, buckets, labelNames));

    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Metric[] metrics;
        lock (_gate)
        {
            metrics = [.. _metrics.Values];
        }

        foreach (var metric in metrics)
        {
            metric.WriteTo(writer);
        }
    }

    /// <summary>The whole exposition as text.</summary>
    public string Export()
    {
        var builder = new StringBuilder();
        using (var writer = new StringWriter(builder, System.Globalization.CultureInfo.InvariantCulture))
        {
            WriteTo(writer);
        }

        return builder.ToString();
    }

    private T Register<T>(T metric)
        where T : Metric
    {
        lock (_gate)
        {
            // Two families of one name would be one family with two TYPE lines: Prometheus rejects the whole scrape.
            if (!_metrics.TryAdd(metric.Name, metric))
            {
                throw new InvalidOperationException($"a metric named {metric.Name} is already registered");
            }
        }

        return metric;
    }
}
