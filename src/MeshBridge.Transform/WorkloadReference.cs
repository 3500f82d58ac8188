namespace MeshBridge.Transform;

/// <summary>Names NIC's workload explicitly: <c>NAMESPACE/KIND/NAME</c>.</summary>
public readonly record struct WorkloadReference(string Namespace, string Kind, string Name)
{
    public override string ToString() => $"{Namespace}/{Kind}/{Name}";

    public static bool TryParse(string? text, out WorkloadReference reference)
    {
        reference = default;
        var parts = text?.Split('/') ?? [];
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            return false;
        }

        var kind = Model.Workload.Kinds.FirstOrDefault(k => string.Equals(k, parts[1], StringComparison.OrdinalIgnoreCase));
        if (kind is null)
        {
            return false;
        }

        reference = new WorkloadReference(parts[0], kind, parts[2]);
        return true;
    }
}
