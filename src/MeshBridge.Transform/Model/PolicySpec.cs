using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>Exactly one policy kind per Policy; all but egressMTLS stay opaque in <see cref="Extra"/>.</summary>
public sealed record PolicySpec
{
    [JsonPropertyName("ingressClassName")]
    public string? IngressClassName { get; init; }

    [JsonPropertyName("egressMTLS")]
    public EgressMtls? EgressMtls { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
