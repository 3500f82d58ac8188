namespace MeshBridge.Kubernetes.Client;

public sealed record DeleteOptions
{
    /// <summary>Background (the default), Foreground or Orphan.</summary>
    public string? PropagationPolicy { get; init; }

    public string? PreconditionUid { get; init; }

    public string? PreconditionResourceVersion { get; init; }

    public long? GracePeriodSeconds { get; init; }
}
