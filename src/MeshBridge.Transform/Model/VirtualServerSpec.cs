using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>The VirtualServer spec fields MeshBridge reads or writes; the rest (tls, listener, snippets…) stay in <see cref="Extra"/>.</summary>
public sealed record VirtualServerSpec
{
    [JsonPropertyName("ingressClassName")]
    public string? IngressClassName { get; init; }

    [JsonPropertyName("host")]
    public string? Host { get; init; }

    [JsonPropertyName("policies")]
    public IReadOnlyList<PolicyReference>? Policies { get; init; }

    [JsonPropertyName("upstreams")]
    public IReadOnlyList<Upstream>? Upstreams { get; init; }

    [JsonPropertyName("routes")]
    public IReadOnlyList<Route>? Routes { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
