namespace MeshBridge.Cli.Diagnostics;

/// <summary>
/// What <c>meshbridge describe</c> found about one VirtualServer: plain data, written as a table or as JSON
/// (<see cref="DiagnosticsJsonContext"/>; property names are the JSON schema, so renaming one is a breaking change).
/// </summary>
internal sealed record VirtualServerReport
{
    /// <summary>The version of this JSON shape; it changes only when a field is renamed or removed.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public int SchemaVersion => 1;

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
