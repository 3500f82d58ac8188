namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// A decoded authentication.k8s.io/v1 TokenRequest body. <see cref="Name"/> and <see cref="Namespace"/> are the
/// request's own metadata, usually empty: the server fills them from the service account in the URL
/// (k8s pkg/registry/core/serviceaccount/storage/token.go).
/// </summary>
public sealed record V1TokenRequest
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public V1TokenRequestSpec Spec { get; init; } = new();
}
