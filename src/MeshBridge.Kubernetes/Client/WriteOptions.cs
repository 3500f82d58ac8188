namespace MeshBridge.Kubernetes.Client;

/// <summary>Query options of create, update and patch.</summary>
public sealed record WriteOptions
{
    public string? FieldManager { get; init; }

    /// <summary>Strict, Warn or Ignore.</summary>
    public string? FieldValidation { get; init; }

    public bool DryRun { get; init; }

    /// <summary>Server-side apply: take ownership of conflicting fields.</summary>
    public bool Force { get; init; }
}
