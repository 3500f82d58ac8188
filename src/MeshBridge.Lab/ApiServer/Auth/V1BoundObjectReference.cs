namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// authentication.k8s.io/v1 BoundObjectReference: the Pod, Secret or Node a token lives no longer than. Every field is
/// optional on the wire (<c>omitempty</c> in api/authentication/v1/types.go).
/// </summary>
public sealed record V1BoundObjectReference
{
    public string? Kind { get; init; }

    public string? ApiVersion { get; init; }

    public string? Name { get; init; }

    public string? Uid { get; init; }
}
