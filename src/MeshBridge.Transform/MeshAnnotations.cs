namespace MeshBridge.Transform;

/// <summary>The annotation and label keys of the MeshBridge contract (DESIGN.md §1).</summary>
public static class MeshAnnotations
{
    public const string Mode = "meshbridge.io/mode";
    public const string HostFormat = "meshbridge.io/host-format";

    /// <summary>Written by MeshBridge only: exactly what it changed, so revert is exact.</summary>
    public const string Applied = "meshbridge.io/applied";

    /// <summary>Written by the controller only.</summary>
    public const string Status = "meshbridge.io/status";

    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "meshbridge";

    /// <summary>On owned objects: the NIC identity (<c>namespace/serviceaccount</c>) they serve.</summary>
    public const string IdentityAnnotation = "meshbridge.io/identity";

    public const string XForwardedClientCert = "X-Forwarded-Client-Cert";
}
