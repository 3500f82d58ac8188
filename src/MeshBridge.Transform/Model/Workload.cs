using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>An apps/v1 Deployment, DaemonSet or StatefulSet: the shapes NIC is installed as.</summary>
public sealed record Workload : IKubernetesObject<V1ObjectMeta>
{
    public static readonly IReadOnlyList<string> Kinds = ["Deployment", "DaemonSet", "StatefulSet"];

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; } = "apps/v1";

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; init; } = new();

    [JsonPropertyName("spec")]
    public WorkloadSpec? Spec { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
