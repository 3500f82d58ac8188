namespace MeshBridge.Transform.Model;

/// <summary>An object with metadata, as kubernetes-client/csharp's <c>IKubernetesObject&lt;V1ObjectMeta&gt;</c>.</summary>
public interface IKubernetesObject<out TMetadata> : IKubernetesObject
{
    TMetadata Metadata { get; }
}
