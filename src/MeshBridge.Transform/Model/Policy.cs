using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>NIC <c>k8s.nginx.org/v1 Policy</c>.</summary>
public sealed record Policy : KubernetesObject
{
    public const string KubeApiVersion = "k8s.nginx.org/v1";
    public const string KubeKind = "Policy";

    public Policy()
        : base(KubeApiVersion, KubeKind)
    {
    }

    [JsonPropertyName("spec")]
    public PolicySpec? Spec { get; init; }
}
