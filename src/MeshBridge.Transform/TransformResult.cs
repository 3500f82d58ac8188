using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>
/// The outcome: each input list in the same order (an object that needs no change is returned as the same
/// instance), the MeshBridge Policies to create (each before the first VirtualServer that references it), the
/// MeshBridge Policies no longer used, and every diagnostic.
/// </summary>
public sealed record TransformResult
{
    public IReadOnlyList<VirtualServer> VirtualServers { get; init; } = [];

    public IReadOnlyList<VirtualServerRoute> VirtualServerRoutes { get; init; } = [];

    public IReadOnlyList<Policy> Policies { get; init; } = [];

    public IReadOnlyList<Workload> Workloads { get; init; } = [];

    public IReadOnlyList<CreatedPolicy> CreatedPolicies { get; init; } = [];

    public IReadOnlyList<ResourceKey> DeletedPolicies { get; init; } = [];

    public IReadOnlyList<Diagnostic> Diagnostics { get; init; } = [];

    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
