namespace MeshBridge.Transform;

/// <summary>NIC's workload identity: its namespace and service account.</summary>
public readonly record struct NicIdentity(string Namespace, string ServiceAccount)
{
    /// <summary>NIC's own manifests install ServiceAccount nginx-ingress in namespace nginx-ingress.</summary>
    public static readonly NicIdentity Default = new("nginx-ingress", "nginx-ingress");

    public string SpiffeId(string trustDomain) => $"spiffe://{trustDomain}/ns/{Namespace}/sa/{ServiceAccount}";

    public override string ToString() => $"{Namespace}/{ServiceAccount}";

    public static bool TryParse(string? text, out NicIdentity identity)
    {
        identity = default;
        var parts = text?.Split('/') ?? [];
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return false;
        }

        identity = new NicIdentity(parts[0], parts[1]);
        return true;
    }
}
