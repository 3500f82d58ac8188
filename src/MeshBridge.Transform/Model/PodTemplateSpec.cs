using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

public sealed record PodTemplateSpec
{
    [JsonPropertyName("metadata")]
    public V1ObjectMeta? Metadata { get; init; }

    [JsonPropertyName("spec")]
    public PodSpec? Spec { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
