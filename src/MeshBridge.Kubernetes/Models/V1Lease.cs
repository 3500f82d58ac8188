using System.Text.Json.Serialization;
using MeshBridge.Transform.Model;

namespace MeshBridge.Kubernetes.Models;

/// <summary>coordination.k8s.io/v1 Lease, used for leader election.</summary>
public sealed record V1Lease : KubernetesObject
{
    public const string KubeApiVersion = "coordination.k8s.io/v1";
    public const string KubeKind = "Lease";

    public V1Lease()
        : base(KubeApiVersion, KubeKind)
    {
    }

    [JsonPropertyName("spec")]
    public V1LeaseSpec? Spec { get; init; }
}
