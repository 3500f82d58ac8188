using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>NIC <c>k8s.nginx.org/v1 VirtualServerRoute</c>.</summary>
public sealed record VirtualServerRoute : IKubernetesObject<V1ObjectMeta>
{
    public const string KubeApiVersion = "k8s.nginx.org/v1";
    public const string KubeKind = "VirtualServerRoute";

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; } = KubeApiVersion;

    [JsonPropertyName("kind")]
    public string? Kind { get; init; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; init; } = new();

    [JsonPropertyName("spec")]
    public VirtualServerRouteSpec? Spec { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
