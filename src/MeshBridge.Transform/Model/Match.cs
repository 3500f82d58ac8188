using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>A conditional branch of a route; conditions stay opaque in <see cref="Extra"/>.</summary>
public sealed record Match
{
    [JsonPropertyName("action")]
    public RouteAction? Action { get; init; }

    [JsonPropertyName("splits")]
    public IReadOnlyList<Split>? Splits { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
