namespace MeshBridge.Cli.Diagnostics;

/// <summary>
/// What <c>meshbridge describe</c> found about one VirtualServer: plain data, written as a table or as JSON
/// (<see cref="DiagnosticsJsonContext"/>; property names are the JSON schema, so renaming one is a breaking change).
/// </summary>
internal sealed record VirtualServerReport
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>The <c>meshbridge.io/mode</c> value as written (none when absent).</summary>
    public required string Mode { get; init; }

    /// <summary>The controller's <c>meshbridge.io/status</c> annotation; null when it wrote none.</summary>
    public string? Status { get; init; }

    public string? IngressClass { get; init; }

    public string? TrustDomain { get; init; }

    public IReadOnlyList<NicInstanceReport> NicInstances { get; init; } = [];

    public IReadOnlyList<UpstreamReport> Upstreams { get; init; } = [];

    public CertificateReport? Certificate { get; init; }

    public IReadOnlyList<ProblemReport> Problems { get; init; } = [];

    public bool HasErrors => Problems.Any(p => p.Severity == ProblemSeverity.Error);
}

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

/// <summary>One upstream of the VirtualServer: its Service, port protocol, PeerAuthentication, Host header and the identity the backend sees.</summary>
internal sealed record UpstreamReport
{
    public required string Name { get; init; }

    /// <summary><c>namespace/name</c> of the Service.</summary>
    public string? Service { get; init; }

    public bool ServiceFound { get; init; }

    public int? Port { get; init; }

    public string? PortName { get; init; }

    public string? AppProtocol { get; init; }

    /// <summary>The protocol Istio takes the port for: <c>http</c>, <c>http2</c>, <c>grpc</c>, <c>tcp</c>… or <c>undeclared</c>.</summary>
    public string? Protocol { get; init; }

    /// <summary>Whether Istio terminates the port as HTTP (and so adds XFCC).</summary>
    public bool ProtocolDeclaredHttp { get; init; }

    /// <summary>The container port the sidecar's inbound listens on (the Service's numeric targetPort, else its port).</summary>
    public string? TargetPort { get; init; }

    /// <summary>Effective PeerAuthentication mode at the backend: STRICT, PERMISSIVE or DISABLE.</summary>
    public string? PeerAuthentication { get; init; }

    /// <summary>Which PeerAuthentication decided it (<c>ns/name (scope)</c>), or the Istio default.</summary>
    public string? PeerAuthenticationSource { get; init; }

    /// <summary>The Host header NIC sends (the route's <c>requestHeaders.set</c> Host); null when none is set.</summary>
    public string? HostHeader { get; init; }

    /// <summary>The <c>URI=</c> the backend's sidecar puts in X-Forwarded-Client-Cert; null when it adds none.</summary>
    public string? XfccIdentity { get; init; }

    /// <summary>Why there is no XFCC identity, or a caveat about it.</summary>
    public string? XfccNote { get; init; }
}

/// <summary>The egress-mtls certificate in the <c>.tls</c> Secret: identity, expiry and the next rotation.</summary>
internal sealed record CertificateReport
{
    public required string Secret { get; init; }

    public bool Found { get; init; }

    public string? Identity { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>Half the lifetime after NotBefore: when MeshBridge (like istio-agent) renews it.</summary>
    public DateTimeOffset? NextRotation { get; init; }

    public bool Expired { get; init; }
}

/// <summary>One thing wrong: a stable code, what and where, and what to do about it.</summary>
internal sealed record ProblemReport(string Code, string Severity, string Subject, string Message, string Remedy);

/// <summary>The severities of <see cref="ProblemReport"/>: an error makes the command exit 1, a warning does not.</summary>
internal static class ProblemSeverity
{
    public const string Error = "error";
    public const string Warning = "warning";
}

/// <summary><c>meshbridge doctor</c>: every VirtualServer carrying <c>meshbridge.io/mode</c>.</summary>
internal sealed record DoctorReport
{
    public IReadOnlyList<VirtualServerReport> VirtualServers { get; init; } = [];

    public int Errors => VirtualServers.Sum(v => v.Problems.Count(p => p.Severity == ProblemSeverity.Error));

    public int Warnings => VirtualServers.Sum(v => v.Problems.Count(p => p.Severity == ProblemSeverity.Warning));
}
