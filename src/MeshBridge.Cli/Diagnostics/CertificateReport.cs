namespace MeshBridge.Cli.Diagnostics;

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
