using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>The parts of a VirtualServer or VirtualServerRoute that MeshBridge changes.</summary>
internal sealed record RoutedParts(
    V1ObjectMeta Metadata,
    IReadOnlyList<Upstream>? Upstreams,
    IReadOnlyList<Route>? Routes,
    IReadOnlyList<PolicyReference>? Policies);
