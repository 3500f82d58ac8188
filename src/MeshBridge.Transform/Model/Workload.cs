using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>An apps/v1 Deployment, DaemonSet or StatefulSet: the shapes NIC is installed as.</summary>
public sealed record Workload : KubernetesObject
{
    public static readonly IReadOnlyList<string> Kinds = ["Deployment", "DaemonSet", "StatefulSet"];

    public Workload()
        : base("apps/v1", null)
    {
    }

    [JsonPropertyName("spec")]
    public WorkloadSpec? Spec { get; init; }
}
