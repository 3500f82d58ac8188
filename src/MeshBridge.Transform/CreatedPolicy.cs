using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>A Policy MeshBridge needs that is not among the inputs, and the first VirtualServer that references it.</summary>
public sealed record CreatedPolicy(Policy Policy, ResourceKey FirstReferencedBy);
