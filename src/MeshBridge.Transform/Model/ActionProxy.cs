using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

public sealed record ActionProxy
{
    [JsonPropertyName("upstream")]
    public string? Upstream { get; init; }

    [JsonPropertyName("rewritePath")]
    public string? RewritePath { get; init; }

    [JsonPropertyName("requestHeaders")]
    public ProxyRequestHeaders? RequestHeaders { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
