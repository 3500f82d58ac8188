using System.Collections.Concurrent;

namespace MeshBridge.Controller.Operations;

/// <summary>A metric family whose series are made on first use of their label values, safely from any thread.</summary>
public abstract class MetricFamily<TSeries> : Metric
    where TSeries : class
{
    private readonly ConcurrentDictionary<string[], TSeries> _series = new(LabelValuesComparer.Instance);
    private readonly Func<string[], TSeries> _create;

    private protected MetricFamily(string name, string help, string type, IReadOnlyList<string> labelNames, IReadOnlyCollection<string> reservedLabels)
        : base(name, help, type, labelNames, reservedLabels) =>
        _create = _ => CreateSeries();

    /// <summary>The series for these label values, in the order of <see cref="Metric.LabelNames"/>; made if new.</summary>
    public TSeries WithLabels(params string[] labelValues)
    {
        ArgumentNullException.ThrowIfNull(labelValues);
        if (labelValues.Length != LabelNames.Count)
        {
            throw new ArgumentException(
                $"metric {Name} has {LabelNames.Count} labels ({string.Join(", ", LabelNames)}) but {labelValues.Length} values were given",
                nameof(labelValues));
        }

        foreach (var value in labelValues)
        {
            ArgumentNullException.ThrowIfNull(value, nameof(labelValues));
        }

        // The caller's array could change after this call; the key must not.
        return _series.TryGetValue(labelValues, out var existing) ? existing : _series.GetOrAdd([.. labelValues], _create);
    }

    // A family without labels has exactly one series, shown at zero from the start as client_golang shows it.
    private protected override bool HasSeries => LabelNames.Count == 0 || !_series.IsEmpty;

    private protected abstract TSeries CreateSeries();

    private protected abstract void WriteSeries(TextWriter writer, string[] labelValues, TSeries series);

    private protected override void WriteSamples(TextWriter writer)
    {
        if (LabelNames.Count == 0)
        {
            WithLabels();
        }

        // Sorted by label values, as client_golang sorts, so the text is stable from scrape to scrape.
        var snapshot = _series.ToArray();
        Array.Sort(snapshot, static (a, b) => LabelValuesComparer.Compare(a.Key, b.Key));
        foreach (var (labelValues, series) in snapshot)
        {
            WriteSeries(writer, labelValues, series);
        }
    }
}
