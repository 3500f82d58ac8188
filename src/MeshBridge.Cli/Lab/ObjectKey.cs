namespace MeshBridge.Cli.Lab;

/// <summary>An object by namespace ("" when cluster-scoped), kind and name; printed <c>namespace/Kind/name</c>.</summary>
internal readonly record struct ObjectKey(string Namespace, string Kind, string Name) : IComparable<ObjectKey>
{
    public int CompareTo(ObjectKey other)
    {
        var byNamespace = string.CompareOrdinal(Namespace, other.Namespace);
        if (byNamespace != 0)
        {
            return byNamespace;
        }

        var byKind = string.CompareOrdinal(Kind, other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Name, other.Name);
    }

    public override string ToString() => Namespace.Length == 0 ? $"{Kind}/{Name}" : $"{Namespace}/{Kind}/{Name}";
}
