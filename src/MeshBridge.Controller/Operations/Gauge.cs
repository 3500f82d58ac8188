namespace MeshBridge.Controller.Operations;

/// <summary>A family of gauges: values that go up and down, or are set.</summary>
public sealed class Gauge : MetricFamily<GaugeSeries>
{
    internal Gauge(string name, string help, IReadOnlyList<string> labelNames)
        : base(name, help, "gauge", labelNames, [])
    {
    }

    /// <summary>Sets the one series of a family without labels.</summary>
    public void Set(double value) => WithLabels().Set(value);

    private protected override GaugeSeries CreateSeries() => new();

    private protected override void WriteSeries(TextWriter writer, string[] labelValues, GaugeSeries series) =>
        PrometheusText.WriteSample(writer, Name, LabelNames, labelValues, series.Value);
}
