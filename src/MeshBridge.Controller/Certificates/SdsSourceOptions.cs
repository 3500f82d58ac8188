using MeshBridge.Certificates.Sds;

namespace MeshBridge.Controller.Certificates;

/// <summary>Which kind of SDS server the <c>sds</c> certificate source talks to (reference/istio.md §5).</summary>
public enum SdsServerKind
{
    /// <summary>istio-agent: resources <c>default</c> and <c>ROOTCA</c>; it serves its own pod's identity only.</summary>
    IstioAgent,

    /// <summary>SPIRE agent: the SVID by its SPIFFE ID and the bundle by <c>spiffe://&lt;trust domain&gt;</c>, as registered for the caller.</summary>
    Spire,
}

/// <summary>Settings of <see cref="SdsCertificateSource"/>.</summary>
public sealed record SdsSourceOptions
{
    /// <summary>The SDS server's Unix socket.</summary>
    public required string SocketPath { get; init; }

    public SdsServerKind Server { get; init; } = SdsServerKind.IstioAgent;

    /// <summary>The node id of the first request (istio-agent refuses an empty one).</summary>
    public string NodeId { get; init; } = SdsRequest.DefaultNodeId;

    /// <summary>How long a reconcile waits for the first certificate before the VirtualServer is left Pending with the reason.</summary>
    public TimeSpan FirstCertificateWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before reconnecting a broken stream; it doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The default socket of each server kind: istio-agent's in a sidecar-injected pod, SPIRE's agent default.</summary>
    public static string DefaultSocket(SdsServerKind server) => server == SdsServerKind.Spire
        ? "/tmp/spire-agent/public/api.sock"
        : "/var/run/secrets/workload-spiffe-uds/socket";
}
