using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>Everything the transform looks at. Objects that are not NIC resources or NIC workloads stay out.</summary>
public sealed record TransformInput
{
    public IReadOnlyList<VirtualServer> VirtualServers { get; init; } = [];

    public IReadOnlyList<VirtualServerRoute> VirtualServerRoutes { get; init; } = [];

    public IReadOnlyList<Policy> Policies { get; init; } = [];

    public IReadOnlyList<Workload> Workloads { get; init; } = [];

    /// <summary>What VirtualServers outside <see cref="VirtualServers"/> ask of the NIC instances (enrollment decisions).</summary>
    public IReadOnlyList<PeerServers> Peers { get; init; } = [];

    /// <summary>
    /// Policies that VirtualServers outside <see cref="VirtualServers"/> reference: a MeshBridge Policy among them is
    /// still used, so it is never retired.
    /// </summary>
    public IReadOnlySet<ResourceKey> PolicyReferencesElsewhere { get; init; } = new HashSet<ResourceKey>();
}
