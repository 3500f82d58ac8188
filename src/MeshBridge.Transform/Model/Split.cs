using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

public sealed record Split
{
    [JsonPropertyName("weight")]
    public int? Weight { get; init; }

    [JsonPropertyName("action")]
    public RouteAction? Action { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
