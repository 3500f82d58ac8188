using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>Everything the transform looks at. Objects that are not NIC resources or NIC workloads stay out.</summary>
public sealed record TransformInput
{
    public IReadOnlyList<VirtualServer> VirtualServers { get; init; } = [];

    public IReadOnlyList<VirtualServerRoute> VirtualServerRoutes { get; init; } = [];

    public IReadOnlyList<Policy> Policies { get; init; } = [];

    public IReadOnlyList<Workload> Workloads { get; init; } = [];
}
