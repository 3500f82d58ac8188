namespace MeshBridge.Transform;

/// <summary>
/// One finding about one object: which object, the JSON path of the field (kubectl field-path style, e.g.
/// <c>spec.routes[0].action.pass</c>), the reason, and a stable machine-readable <paramref name="Reason"/> code
/// that the controller reuses as the Event reason.
/// </summary>
public sealed record Diagnostic(
    DiagnosticSeverity Severity,
    ResourceKey Resource,
    string Path,
    string Reason,
    string Message)
{
    public override string ToString()
    {
        var level = Severity.ToString().ToLowerInvariant();
        var where = string.IsNullOrEmpty(Path) ? string.Empty : $" {Path}:";
        return $"{level}: {Resource}:{where} {Message} ({Reason})";
    }
}
