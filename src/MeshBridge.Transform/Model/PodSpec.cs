using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

public sealed record PodSpec
{
    [JsonPropertyName("serviceAccountName")]
    public string? ServiceAccountName { get; init; }

    [JsonPropertyName("containers")]
    public IReadOnlyList<Container>? Containers { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
