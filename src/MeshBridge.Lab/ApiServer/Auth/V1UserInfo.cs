using System.Text.Json.Serialization;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>authentication.k8s.io/v1 UserInfo; every field is <c>omitempty</c>.</summary>
public sealed record V1UserInfo
{
    [JsonPropertyName("username")]
    public string? Username { get; init; }

    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    [JsonPropertyName("groups")]
    public IReadOnlyList<string>? Groups { get; init; }

    /// <summary>Go writes map keys sorted, so this dictionary is kept in ordinal key order.</summary>
    [JsonPropertyName("extra")]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra { get; init; }
}
