using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>NIC <c>k8s.nginx.org/v1 VirtualServerRoute</c>.</summary>
public sealed record VirtualServerRoute : KubernetesObject
{
    public const string KubeApiVersion = "k8s.nginx.org/v1";
    public const string KubeKind = "VirtualServerRoute";

    public VirtualServerRoute()
        : base(KubeApiVersion, KubeKind)
    {
    }

    [JsonPropertyName("spec")]
    public VirtualServerRouteSpec? Spec { get; init; }
}
