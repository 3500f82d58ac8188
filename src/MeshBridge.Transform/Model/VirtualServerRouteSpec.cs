using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>A VirtualServerRoute has no spec-level policies and no tls (reference/nic.md §1).</summary>
public sealed record VirtualServerRouteSpec
{
    [JsonPropertyName("ingressClassName")]
    public string? IngressClassName { get; init; }

    [JsonPropertyName("host")]
    public string? Host { get; init; }

    [JsonPropertyName("upstreams")]
    public IReadOnlyList<Upstream>? Upstreams { get; init; }

    [JsonPropertyName("subroutes")]
    public IReadOnlyList<Route>? Subroutes { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
