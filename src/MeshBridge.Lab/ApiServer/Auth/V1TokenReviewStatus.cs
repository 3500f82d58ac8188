using System.Text.Json.Serialization;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// authentication.k8s.io/v1 TokenReviewStatus. Go marshals <c>authenticated</c>, <c>audiences</c> and <c>error</c>
/// with <c>omitempty</c> but <c>user</c> always (a struct), so a failed review reads
/// <c>{"user":{},"error":"…"}</c> (api/authentication/v1/types.go).
/// </summary>
public sealed record V1TokenReviewStatus
{
    /// <summary>True or absent, never false on the wire.</summary>
    [JsonPropertyName("authenticated")]
    public bool? Authenticated { get; init; }

    [JsonPropertyName("user")]
    public V1UserInfo User { get; init; } = new();

    [JsonPropertyName("audiences")]
    public IReadOnlyList<string>? Audiences { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }
}
