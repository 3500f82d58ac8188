namespace MeshBridge.Controller.Operations;

/// <summary>
/// A family of histograms: observations counted into buckets by upper bound, written as cumulative
/// <c>_bucket{le=...}</c> series ending in <c>le="+Inf"</c>, then <c>_sum</c> and <c>_count</c>.
/// </summary>
public sealed class Histogram : MetricFamily<HistogramSeries>
{
    private static readonly string[] Reserved = ["le"];
    private readonly double[] _upperBounds;
    private readonly string[] _le;

    internal Histogram(string name, string help, IEnumerable<double> buckets, IReadOnlyList<string> labelNames)
        : base(name, help, "histogram", labelNames, Reserved)
    {
        ArgumentNullException.ThrowIfNull(buckets);

        // +Inf is always the last bucket; a caller listing it is not an error (client_golang drops it too).
        _upperBounds = [.. buckets.Where(b => !double.IsPositiveInfinity(b))];
        for (var i = 0; i < _upperBounds.Length; i++)
        {
            if (double.IsNaN(_upperBounds[i]) || (i > 0 && _upperBounds[i] <= _upperBounds[i - 1]))
            {
                throw new ArgumentException($"histogram {name}: bucket bounds must be numbers in strictly increasing order", nameof(buckets));
            }
        }

        _le = [.. _upperBounds.Select(PrometheusText.FormatValue), "+Inf"];
    }

    /// <summary>The finite upper bounds, in order; <c>+Inf</c> is implied.</summary>
    public IReadOnlyList<double> UpperBounds => _upperBounds;

    /// <summary>Observes into the one series of a family without labels.</summary>
    public void Observe(double value) => WithLabels().Observe(value);

    private protected override HistogramSeries CreateSeries() => new(_upperBounds);

    private protected override void WriteSeries(TextWriter writer, string[] labelValues, HistogramSeries series)
    {
        var snapshot = series.Snapshot();
        var bucketName = Name + "_bucket";
        for (var i = 0; i < _le.Length; i++)
        {
            PrometheusText.WriteSample(writer, bucketName, LabelNames, labelValues, snapshot.CumulativeCounts[i], "le", _le[i]);
        }

        PrometheusText.WriteSample(writer, Name + "_sum", LabelNames, labelValues, snapshot.Sum);
        PrometheusText.WriteSample(writer, Name + "_count", LabelNames, labelValues, snapshot.Count);
    }
}
