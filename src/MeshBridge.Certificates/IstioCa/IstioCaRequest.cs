namespace MeshBridge.Certificates.IstioCa;

/// <summary>
/// One certificate request to an Istio CA (istiod, or cert-manager istio-csr). <see cref="ToString"/> never shows the
/// token.
/// </summary>
public sealed record IstioCaRequest
{
    /// <summary>The CA's <c>host:port</c>, e.g. <c>istiod.istio-system.svc:15012</c> or <c>10.96.0.15:15012</c>.</summary>
    public required string Address { get; init; }

    /// <summary>
    /// The mesh root(s), PEM (<c>root-cert.pem</c> of ConfigMap <c>istio-ca-root-cert</c>): trusted for istiod's TLS
    /// certificate and for the issued chain, never the system store.
    /// </summary>
    public required string RootCertificatePem { get; init; }

    /// <summary>
    /// The name istiod's TLS certificate must carry: <c>istiod.&lt;ns&gt;.svc</c> or <c>istiod-&lt;rev&gt;.&lt;ns&gt;.svc</c>
    /// (its DNS SANs have no <c>.cluster.local</c> form, reference/istio.md §3). Null: the host of <see cref="Address"/>.
    /// </summary>
    public string? ServerName { get; init; }

    /// <summary>A service account token with audience <c>istio-ca</c>; sent as <c>authorization: Bearer …</c>.</summary>
    public required string BearerToken { get; init; }

    /// <summary>The identity to ask for, <c>spiffe://&lt;td&gt;/ns/&lt;ns&gt;/sa/&lt;sa&gt;</c>; the token must be that service account's.</summary>
    public required string SpiffeId { get; init; }

    /// <summary>
    /// The validity asked for, sent explicitly (istio-csr signs zero-length certificates for 0). istiod refuses more than
    /// its MAX_WORKLOAD_CERT_TTL (90 days by default); istio-csr shortens it to its maximum (1 hour by default).
    /// </summary>
    public TimeSpan Validity { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The <c>ClusterID</c> metadata; null or empty means istiod's own cluster.</summary>
    public string? ClusterId { get; init; }

    /// <summary>How long the whole call may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public override string ToString() =>
        $"IstioCaRequest {{ Address = {Address}, ServerName = {ServerName}, SpiffeId = {SpiffeId}, Validity = {Validity}, ClusterId = {ClusterId}, BearerToken = <redacted> }}";
}
