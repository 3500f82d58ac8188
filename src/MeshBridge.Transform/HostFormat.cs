namespace MeshBridge.Transform;

/// <summary>The values of <c>meshbridge.io/host-format</c>.</summary>
public enum HostFormat
{
    /// <summary><c>&lt;svc&gt;.&lt;ns&gt;.svc.&lt;clusterDomain&gt;</c>, as NIC's Istio tutorial writes it.</summary>
    Fqdn,

    /// <summary><c>&lt;svc&gt;.&lt;ns&gt;</c>, as the seed blog writes it.</summary>
    Short,
}
