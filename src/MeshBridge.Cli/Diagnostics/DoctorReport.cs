namespace MeshBridge.Cli.Diagnostics;

/// <summary><c>meshbridge doctor</c>: every VirtualServer carrying <c>meshbridge.io/mode</c>.</summary>
internal sealed record DoctorReport
{
    public IReadOnlyList<VirtualServerReport> VirtualServers { get; init; } = [];

    public int Errors => VirtualServers.Sum(v => v.Problems.Count(p => p.Severity == ProblemSeverity.Error));

    public int Warnings => VirtualServers.Sum(v => v.Problems.Count(p => p.Severity == ProblemSeverity.Warning));
}
