namespace MeshBridge.Transform;

/// <summary>Collects diagnostics instead of throwing, so one run reports every problem (YARP's validation style).</summary>
internal sealed class DiagnosticBag
{
    private readonly List<Diagnostic> items = [];

    public IReadOnlyList<Diagnostic> Items => items;

    public void Error(ResourceKey resource, string path, string reason, string message) =>
        items.Add(new Diagnostic(DiagnosticSeverity.Error, resource, path, reason, message));

    public void Warning(ResourceKey resource, string path, string reason, string message) =>
        items.Add(new Diagnostic(DiagnosticSeverity.Warning, resource, path, reason, message));

    public void Info(ResourceKey resource, string path, string reason, string message) =>
        items.Add(new Diagnostic(DiagnosticSeverity.Info, resource, path, reason, message));

    public bool HasErrors(ResourceKey resource) =>
        items.Any(d => d.Severity == DiagnosticSeverity.Error && d.Resource == resource);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => items.AddRange(diagnostics);
}
