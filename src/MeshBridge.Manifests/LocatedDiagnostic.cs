using MeshBridge.Transform;

namespace MeshBridge.Manifests;

/// <summary>A diagnostic with the document it is about (<c>file.yaml#2</c>), when known.</summary>
public sealed record LocatedDiagnostic(Diagnostic Diagnostic, string? Location)
{
    public override string ToString()
    {
        var d = Diagnostic;
        var level = d.Severity.ToString().ToLowerInvariant();
        var where = Location is null ? string.Empty : $" ({Location})";
        var path = string.IsNullOrEmpty(d.Path) ? string.Empty : $" {d.Path}:";
        return $"{level}: {d.Resource}{where}:{path} {d.Message} [{d.Reason}]";
    }
}
