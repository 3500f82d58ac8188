using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>The metadata fields MeshBridge reads; every other field survives in <see cref="Extra"/>.</summary>
public sealed record V1ObjectMeta
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("namespace")]
    public string? NamespaceProperty { get; init; }

    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    [JsonPropertyName("resourceVersion")]
    public string? ResourceVersion { get; init; }

    [JsonPropertyName("generation")]
    public long? Generation { get; init; }

    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>kubernetes-client names the accessor <c>Namespace()</c>; the property keeps the wire name.</summary>
    public string? Namespace() => NamespaceProperty;

    public string? Annotation(string key) =>
        Annotations is not null && Annotations.TryGetValue(key, out var value) ? value : null;
}
