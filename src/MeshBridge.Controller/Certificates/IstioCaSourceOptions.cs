namespace MeshBridge.Controller.Certificates;

/// <summary>Where the Istio CA is and what to ask it for (DESIGN.md §3).</summary>
public sealed record IstioCaSourceOptions
{
    /// <summary>The port istiod serves the CA on (its secure gRPC server, reference/istio.md §3).</summary>
    public const int IstiodCaPort = 15012;

    /// <summary>TokenRequest expiry: the token is used once, at once (the API server's minimum is 10 minutes).</summary>
    public const long TokenExpirationSeconds = 600;

    /// <summary>The audience istiod's TokenReview asks for (TOKEN_AUDIENCES default).</summary>
    public const string TokenAudience = "istio-ca";

    /// <summary>The namespace holding the istiod Service.</summary>
    public string IstioNamespace { get; init; } = "istio-system";

    /// <summary>Revisioned Istio: the Service is <c>istiod-&lt;rev&gt;</c>, and so is the TLS name.</summary>
    public string? IstioRevision { get; init; }

    /// <summary>
    /// The CA as <c>host:port</c> instead of the Service (istio-csr, a port-forward, a test). The TLS name stays
    /// istiod's unless <see cref="ServerName"/> says otherwise.
    /// </summary>
    public string? AddressOverride { get; init; }

    /// <summary>The name the CA's TLS certificate must carry; default <c>istiod[-&lt;rev&gt;].&lt;istio-ns&gt;.svc</c>.</summary>
    public string? ServerName { get; init; }

    /// <summary>The validity asked for (istio-agent's SECRET_TTL default).</summary>
    public TimeSpan Validity { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The ClusterID metadata; null: istiod's own cluster.</summary>
    public string? ClusterId { get; init; }

    /// <summary>The istiod Service name.</summary>
    public string ServiceName => string.IsNullOrEmpty(IstioRevision) || IstioRevision == "default" ? "istiod" : $"istiod-{IstioRevision}";

    /// <summary>The TLS name to check: <see cref="ServerName"/>, else the Service's <c>.svc</c> name (istiod's DNS SANs have no <c>.cluster.local</c> form).</summary>
    public string EffectiveServerName => ServerName ?? $"{ServiceName}.{IstioNamespace}.svc";
}
