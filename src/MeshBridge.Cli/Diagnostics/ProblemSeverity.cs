namespace MeshBridge.Cli.Diagnostics;

/// <summary>The severities of <see cref="ProblemReport"/>: an error makes the command exit 1, a warning does not.</summary>
internal static class ProblemSeverity
{
    public const string Error = "error";
    public const string Warning = "warning";
}
