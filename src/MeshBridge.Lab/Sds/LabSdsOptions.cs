using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Lab.Sds;

/// <summary>How a <see cref="LabSdsServer"/> behaves: the one workload identity it serves and where.</summary>
public sealed record LabSdsOptions
{
    /// <summary>NIC's identity in a mesh with the default trust domain.</summary>
    public const string DefaultSpiffeId = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";

    /// <summary>
    /// The Unix socket to listen on; a stale file there is replaced, as istio-agent does. Null: <c>sds.sock</c> in a
    /// new temporary directory, removed with the server.
    /// </summary>
    public string? SocketPath { get; init; }

    /// <summary>The server to imitate.</summary>
    public LabSdsFlavour Flavour { get; init; } = LabSdsFlavour.IstioAgent;

    /// <summary>The one identity served (istio-agent and SPIRE only ever serve the caller's own); its host is the trust domain.</summary>
    public string SpiffeId { get; init; } = DefaultSpiffeId;

    /// <summary>
    /// The mesh root with its private key to issue from (e.g. the one given to the lab Istio CA); null generates a
    /// self-signed root for the trust domain. The caller keeps ownership.
    /// </summary>
    public X509Certificate2? Root { get; init; }

    /// <summary>The validity of each workload certificate (istiod's default: 24h).</summary>
    public TimeSpan CertificateLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Rotates by itself at half the lifetime, as istio-agent does (well before expiry).</summary>
    public bool AutoRotate { get; init; }

    /// <summary>The clock certificates are dated with and automatic rotation runs on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The trust domain: the host of <see cref="SpiffeId"/>.</summary>
    public string TrustDomain => new Uri(SpiffeId).Host;
}
