namespace MeshBridge.Transform.Model;

/// <summary>Shaped like kubernetes-client/csharp's <c>k8s.IKubernetesObject</c> so a later swap is cheap.</summary>
public interface IKubernetesObject
{
    string? ApiVersion { get; }

    string? Kind { get; }
}
