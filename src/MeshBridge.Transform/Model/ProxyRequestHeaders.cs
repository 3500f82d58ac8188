using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

public sealed record ProxyRequestHeaders
{
    [JsonPropertyName("pass")]
    public bool? Pass { get; init; }

    [JsonPropertyName("set")]
    public IReadOnlyList<HeaderValue>? Set { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
