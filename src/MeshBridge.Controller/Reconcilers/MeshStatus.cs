using MeshBridge.Controller.Certificates;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Controller.Reconcilers;

/// <summary>
/// The <c>meshbridge.io/status</c> annotation: one line a user reads with kubectl to see where a VirtualServer stands —
/// <c>Meshed: sidecar</c>, <c>Pending: CertificatePending: …</c>, <c>Error: EnrollmentConflict: …</c>. It is a pure
/// function of the decision (no timestamps), so a converged cluster's resync rewrites nothing, and it is removed
/// with everything else when the VirtualServer leaves the mesh.
/// </summary>
public static class MeshStatus
{
    /// <summary>Longer notes are cut: an annotation is for reading at a glance; the Events carry the whole story.</summary>
    private const int MaxLength = 1024;

    public static string? Of(VirtualServer output, ResourceKey key, IEnumerable<Diagnostic> diagnostics, MeshIdentity? waitingFor, MeshIdentity? presenting)
    {
        if (diagnostics.FirstOrDefault(d => d.Resource == key && d.Severity == DiagnosticSeverity.Error) is { } error)
        {
            return Cut($"Error: {error.Reason}: {(string.IsNullOrEmpty(error.Path) ? string.Empty : error.Path + ": ")}{error.Message}");
        }

        if (waitingFor is { } identity)
        {
            return Cut($"Pending: {EventReasons.CertificatePending}: waiting for a mesh certificate for {identity}");
        }

        MeshModes.TryParse(output.Metadata.Annotation(MeshAnnotations.Mode), out var mode);
        if (mode == MeshMode.None || output.Metadata.Annotation(MeshAnnotations.Applied) is null)
        {
            return null;
        }

        return presenting is null ? $"Meshed: {mode.ToName()}" : $"Meshed: {mode.ToName()} as {presenting}";
    }

    /// <summary>The VirtualServer with the status annotation set to <paramref name="status"/> (removed when null).</summary>
    public static VirtualServer With(VirtualServer server, string? status)
    {
        var annotations = server.Metadata.Annotations;
        if (annotations?.GetValueOrDefault(MeshAnnotations.Status) == status)
        {
            return server;
        }

        var copy = annotations is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(annotations, StringComparer.Ordinal);
        if (status is null)
        {
            copy.Remove(MeshAnnotations.Status);
        }
        else
        {
            copy[MeshAnnotations.Status] = status;
        }

        return server with { Metadata = server.Metadata with { Annotations = copy.Count == 0 && annotations is null ? null : copy } };
    }

    private static string Cut(string text) => text.Length <= MaxLength ? text : text[..(MaxLength - 1)] + "…";
}
