using MeshBridge.Transform;

namespace MeshBridge.Controller;

public sealed record ControllerOptions
{
    /// <summary>The field manager and Event reporting controller name.</summary>
    public string FieldManager { get; init; } = "meshbridge";

    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>Only VirtualServers of this class (or with no class) are handled; null handles every class.</summary>
    public string? IngressClass { get; init; }

    public WorkloadReference? IngressWorkload { get; init; }

    public string? IstioRevision { get; init; }

    public int Workers { get; init; } = 2;

    public TimeSpan? ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
