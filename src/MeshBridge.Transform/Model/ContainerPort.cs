using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

public sealed record ContainerPort
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("containerPort")]
    public int? ContainerPortNumber { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
