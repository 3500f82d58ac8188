using MeshBridge.Transform;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>The controller settings the checks must share with <c>meshbridge run</c> to reach its conclusions.</summary>
internal sealed record DiagnosticsOptions
{
    public string IstioNamespace { get; init; } = "istio-system";

    /// <summary>NIC's workload when <c>meshbridge run --ingress-workload</c> names it; else recognised by image or flags.</summary>
    public WorkloadReference? IngressWorkload { get; init; }

    public string ClusterDomain { get; init; } = "cluster.local";
}
