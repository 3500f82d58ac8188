namespace MeshBridge.Kubernetes.Client;

public sealed record ListOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    public int? Limit { get; init; }

    public string? Continue { get; init; }

    /// <summary>"0" reads any cached state; unset is a consistent read.</summary>
    public string? ResourceVersion { get; init; }
}
