namespace MeshBridge.Cli.Diagnostics;

/// <summary>One NIC instance serving the VirtualServer's class, and how its pods are enrolled in the mesh.</summary>
internal sealed record NicInstanceReport
{
    /// <summary><c>namespace/Kind/name</c> of the NIC workload.</summary>
    public required string Workload { get; init; }

    public required string IngressClass { get; init; }

    /// <summary><c>namespace/serviceaccount</c>.</summary>
    public required string ServiceAccount { get; init; }

    /// <summary>NIC's SPIFFE ID, <c>spiffe://&lt;trust domain&gt;/ns/&lt;ns&gt;/sa/&lt;sa&gt;</c>.</summary>
    public required string SpiffeId { get; init; }

    /// <summary><c>sidecar</c>, <c>ambient</c> or <c>none</c>: what the pod template and namespace labels enroll NIC in.</summary>
    public required string Enrollment { get; init; }

    /// <summary>The label that decides <see cref="Enrollment"/> (e.g. <c>pod label sidecar.istio.io/inject=true</c>); null for none.</summary>
    public string? EnrollmentSource { get; init; }

    /// <summary>NIC's running pods (those its selector matches).</summary>
    public int Pods { get; init; }

    /// <summary>Of <see cref="Pods"/>, those really in the mesh: an <c>istio-proxy</c> container, or ztunnel redirection (<c>ambient.istio.io/redirection: enabled</c>).</summary>
    public int PodsInMesh { get; init; }

    /// <summary>Whether MeshBridge's <c>meshbridge.io/applied</c> record is on the workload.</summary>
    public bool EnrolledByMeshBridge { get; init; }
}
