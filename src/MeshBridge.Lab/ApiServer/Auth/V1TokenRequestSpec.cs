namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// authentication.k8s.io/v1 TokenRequestSpec. <see cref="ExpirationSeconds"/> is null when the client left it out
/// (kubectl does without <c>--duration</c>); the server then defaults it to 3600.
/// </summary>
public sealed record V1TokenRequestSpec
{
    public IReadOnlyList<string> Audiences { get; init; } = [];

    public long? ExpirationSeconds { get; init; }

    public V1BoundObjectReference? BoundObjectRef { get; init; }
}
