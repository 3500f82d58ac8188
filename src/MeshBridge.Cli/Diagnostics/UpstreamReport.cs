namespace MeshBridge.Cli.Diagnostics;

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
