namespace MeshBridge.Controller.Certificates;

/// <summary>
/// When <see cref="RotatingCertificateSource"/> renews and how it retries. The defaults are istio-agent's
/// (<c>SECRET_GRACE_PERIOD_RATIO</c> 0.5, <c>SECRET_GRACE_PERIOD_RATIO_JITTER</c> 0.01; reference/istio.md §4) and a
/// backoff from 1 s capped at 5 min, so a CA outage costs a few requests a minute, never a storm.
/// </summary>
public sealed record RotationOptions
{
    /// <summary>The share of the lifetime left when the certificate is renewed (0.5: at half its life).</summary>
    public double GraceRatio { get; init; } = 0.5;

    /// <summary>Plus or minus this much on <see cref="GraceRatio"/>, so replicas and identities do not renew in step.</summary>
    public double GraceRatioJitter { get; init; } = 0.01;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    public Random Random { get; init; } = Random.Shared;
}
