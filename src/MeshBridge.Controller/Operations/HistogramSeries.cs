namespace MeshBridge.Controller.Operations;

/// <summary>One histogram series (one set of label values).</summary>
public sealed class HistogramSeries
{
    private readonly Lock _gate = new();
    private readonly double[] _upperBounds;

    // Per-bucket (not cumulative) counts; the last one is the +Inf bucket.
    private readonly long[] _counts;
    private double _sum;
    private long _count;

    internal HistogramSeries(double[] upperBounds)
    {
        _upperBounds = upperBounds;
        _counts = new long[upperBounds.Length + 1];
    }

    /// <summary>Counts <paramref name="value"/> in the first bucket whose upper bound is at least it (bounds are inclusive).</summary>
    public void Observe(double value)
    {
        // NaN is below every bound for Array.BinarySearch; client_golang counts it only in +Inf.
        var index = double.IsNaN(value) ? _upperBounds.Length : Array.BinarySearch(_upperBounds, value);
        if (index < 0)
        {
            index = ~index;
        }

        // A lock rather than separate atomics, so a scrape never sees a _count that disagrees with the buckets.
        lock (_gate)
        {
            _counts[index]++;
            _sum += value;
            _count++;
        }
    }

    /// <summary>A consistent view: cumulative bucket counts (the last is <c>+Inf</c> and equals the count), sum and count.</summary>
    public HistogramSnapshot Snapshot()
    {
        lock (_gate)
        {
            var cumulative = new long[_counts.Length];
            long running = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                running += _counts[i];
                cumulative[i] = running;
            }

            return new HistogramSnapshot(cumulative, _sum, _count);
        }
    }
}
