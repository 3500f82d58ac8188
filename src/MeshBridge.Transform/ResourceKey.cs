namespace MeshBridge.Transform;

/// <summary>Names one object: kind, namespace (empty for cluster-scoped or unknown) and name.</summary>
public readonly record struct ResourceKey(string Kind, string Namespace, string Name)
{
    public override string ToString() =>
        string.IsNullOrEmpty(Namespace) ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}
