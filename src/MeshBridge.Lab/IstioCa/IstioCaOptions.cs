using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Lab.IstioCa;

/// <summary>
/// How a <see cref="LabIstioCa"/> behaves. The defaults are istiod's (reference/istio.md §2, §3): trust domain
/// <c>cluster.local</c>, token audience <c>istio-ca</c>, 24h default and 90 day max workload TTL.
/// </summary>
public sealed record IstioCaOptions
{
    /// <summary>istiod's <c>DEFAULT_WORKLOAD_CERT_TTL</c>.</summary>
    public static readonly TimeSpan IstiodDefaultTtl = TimeSpan.FromHours(24);

    /// <summary>istiod's <c>MAX_WORKLOAD_CERT_TTL</c> (2160h).</summary>
    public static readonly TimeSpan IstiodMaxTtl = TimeSpan.FromDays(90);

    /// <summary>istio-csr's <c>app.server.maxCertificateDuration</c> default.</summary>
    public static readonly TimeSpan IstioCsrMaxDuration = TimeSpan.FromHours(1);

    /// <summary>The CA to imitate.</summary>
    public IstioCaMode Mode { get; init; } = IstioCaMode.Istiod;

    /// <summary>The mesh's <c>trustDomain</c>; identities are <c>spiffe://&lt;trustDomain&gt;/ns/&lt;ns&gt;/sa/&lt;sa&gt;</c>.</summary>
    public string TrustDomain { get; init; } = "cluster.local";

    /// <summary>The istiod revision; when set the serving certificate also names <c>istiod-&lt;rev&gt;.istio-system.svc</c>.</summary>
    public string? Revision { get; init; }

    /// <summary>istiod's <c>TOKEN_AUDIENCES</c>: the audiences the TokenReview asks for.</summary>
    public IReadOnlyList<string> TokenAudiences { get; init; } = ["istio-ca"];

    /// <summary>The validity given when the request asks for none (istiod mode).</summary>
    public TimeSpan DefaultTtl { get; init; } = IstiodDefaultTtl;

    /// <summary>The longest validity a request may ask for; istiod refuses more, istio-csr caps at it.</summary>
    public TimeSpan? MaxTtl { get; init; }

    /// <summary>
    /// A root CA certificate with its private key to sign with (a plugged-in <c>cacerts</c>); null generates a
    /// self-signed root at start, as istiod does without <c>cacerts</c>. The caller keeps ownership.
    /// </summary>
    public X509Certificate2? Root { get; init; }

    /// <summary>The clock certificates are dated with.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The loopback port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The max TTL in effect for <see cref="Mode"/>.</summary>
    public TimeSpan EffectiveMaxTtl => MaxTtl ?? (Mode == IstioCaMode.IstioCsr ? IstioCsrMaxDuration : IstiodMaxTtl);
}
