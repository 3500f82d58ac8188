using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>NIC <c>k8s.nginx.org/v1 VirtualServer</c>.</summary>
public sealed record VirtualServer : KubernetesObject
{
    public const string KubeApiVersion = "k8s.nginx.org/v1";
    public const string KubeKind = "VirtualServer";

    public VirtualServer()
        : base(KubeApiVersion, KubeKind)
    {
    }

    [JsonPropertyName("spec")]
    public VirtualServerSpec? Spec { get; init; }
}
