namespace MeshBridge.Certificates.Sds;

/// <summary>What to fetch from an SDS server (istio-agent or SPIRE agent), see reference/istio.md §5.</summary>
public sealed record SdsRequest
{
    /// <summary>istio-agent's workload SDS socket, relative to the proxy's working directory.</summary>
    public const string IstioAgentSocket = "./var/run/secrets/workload-spiffe-uds/socket";

    /// <summary>A sidecar-shaped node id; istio-agent only requires it to be non-empty.</summary>
    public const string DefaultNodeId = "sidecar~127.0.0.1~meshbridge.default~default.svc.cluster.local";

    /// <summary>The Unix socket the SDS server listens on.</summary>
    public required string SocketPath { get; init; }

    /// <summary>The node id sent in the first request; istio-agent refuses an empty one with "missing node information".</summary>
    public string NodeId { get; init; } = DefaultNodeId;

    /// <summary>The workload key and chain (istio-agent and SPIRE: <c>default</c>).</summary>
    public string CertificateResource { get; init; } = "default";

    /// <summary>The trust bundle (istio-agent: <c>ROOTCA</c>; SPIRE: <c>ROOTCA</c> for its bundle, or as Istio's SPIRE guide configures).</summary>
    public string RootResource { get; init; } = "ROOTCA";

    /// <summary>
    /// The trust domain whose bundle to take when the server sends it as SPIRE does for Envoy 1.18+ (a
    /// <c>envoy.tls.cert_validator.spiffe</c> config with a bundle per trust domain), e.g. <c>cluster.local</c> or
    /// <c>spiffe://cluster.local</c>. Null: the only trust domain there is; an error when there are several.
    /// </summary>
    public string? TrustDomain { get; init; }

    /// <summary>How long to wait for both secrets (the first item of a watch; later pushes are not timed).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
