namespace MeshBridge.Kubernetes.Client;

public sealed record WatchOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Only changes after this version; unset or "0" starts with the current objects as ADDED.</summary>
    public string? ResourceVersion { get; init; }

    public bool AllowWatchBookmarks { get; init; } = true;

    /// <summary>The server ends the stream after this long; the caller re-watches from the last version seen.</summary>
    public int? TimeoutSeconds { get; init; }
}
