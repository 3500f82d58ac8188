namespace MeshBridge.Controller.Operations;

/// <summary>A histogram series at one moment: cumulative counts per bucket (last is <c>+Inf</c>), sum and count.</summary>
public sealed record HistogramSnapshot(IReadOnlyList<long> CumulativeCounts, double Sum, long Count);
