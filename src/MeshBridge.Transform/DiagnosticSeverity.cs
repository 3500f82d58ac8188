namespace MeshBridge.Transform;

public enum DiagnosticSeverity
{
    /// <summary>A decision worth knowing about; nothing is wrong.</summary>
    Info,

    /// <summary>Something a user should fix; the object was still transformed.</summary>
    Warning,

    /// <summary>The object (and everything transformed with it) was left unchanged.</summary>
    Error,
}
