namespace MeshBridge.Controller.Operations;

/// <summary>A family of counters: values that only go up (and restart at zero with the process).</summary>
public sealed class Counter : MetricFamily<CounterSeries>
{
    internal Counter(string name, string help, IReadOnlyList<string> labelNames)
        : base(name, help, "counter", labelNames, [])
    {
    }

    /// <summary>Adds to the one series of a family without labels.</summary>
    public void Inc(double amount = 1) => WithLabels().Inc(amount);

    private protected override CounterSeries CreateSeries() => new();

    private protected override void WriteSeries(TextWriter writer, string[] labelValues, CounterSeries series) =>
        PrometheusText.WriteSample(writer, Name, LabelNames, labelValues, series.Value);
}
