using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

public sealed record Container
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("image")]
    public string? Image { get; init; }

    [JsonPropertyName("args")]
    public IReadOnlyList<string>? Args { get; init; }

    [JsonPropertyName("ports")]
    public IReadOnlyList<ContainerPort>? Ports { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
