namespace MeshBridge.Cli.Diagnostics;

/// <summary>One thing wrong: a stable code, what and where, and what to do about it.</summary>
internal sealed record ProblemReport(string Code, string Severity, string Subject, string Message, string Remedy);
