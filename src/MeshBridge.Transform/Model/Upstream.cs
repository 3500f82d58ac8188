using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>A VS/VSR upstream. Load-balancing and buffering fields stay in <see cref="Extra"/>.</summary>
public sealed record Upstream
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("service")]
    public string? Service { get; init; }

    [JsonPropertyName("subselector")]
    public IReadOnlyDictionary<string, string>? Subselector { get; init; }

    [JsonPropertyName("port")]
    public int? Port { get; init; }

    [JsonPropertyName("tls")]
    public UpstreamTls? Tls { get; init; }

    [JsonPropertyName("use-cluster-ip")]
    public bool? UseClusterIP { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
