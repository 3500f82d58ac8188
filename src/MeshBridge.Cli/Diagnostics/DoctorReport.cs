namespace MeshBridge.Cli.Diagnostics;

/// <summary><c>meshbridge doctor</c>: every VirtualServer carrying <c>meshbridge.io/mode</c>.</summary>
internal sealed record DoctorReport
{
    /// <summary>The version of this JSON shape; it changes only when a field is renamed or removed.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public int SchemaVersion => 1;

    public IReadOnlyList<VirtualServerReport> VirtualServers { get; init; } = [];

    public int Errors => VirtualServers.Sum(v => v.Problems.Count(p => p.Severity == ProblemSeverity.Error));

    public int Warnings => VirtualServers.Sum(v => v.Problems.Count(p => p.Severity == ProblemSeverity.Warning));
}
