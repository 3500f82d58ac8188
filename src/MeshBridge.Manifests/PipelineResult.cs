using MeshBridge.Transform;

namespace MeshBridge.Manifests;

public sealed record PipelineResult(
    IReadOnlyList<OutputDocument> Documents,
    IReadOnlyList<LocatedDiagnostic> Diagnostics,
    IReadOnlyList<CreatedPolicy> CreatedPolicies)
{
    public bool HasErrors => Diagnostics.Any(d => d.Diagnostic.Severity == DiagnosticSeverity.Error);
}
