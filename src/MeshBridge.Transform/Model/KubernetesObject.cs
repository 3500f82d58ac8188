using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>The envelope every top-level object shares; each kind sets its own apiVersion and kind.</summary>
public abstract record KubernetesObject : IKubernetesObject<V1ObjectMeta>
{
    protected KubernetesObject(string? apiVersion, string? kind)
    {
        ApiVersion = apiVersion;
        Kind = kind;
    }

    // Source generation writes derived properties first; the envelope leads, as in every manifest.
    [JsonPropertyOrder(-3)]
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; }

    [JsonPropertyOrder(-2)]
    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyOrder(-1)]
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; init; } = new();

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
