namespace MeshBridge.Kubernetes.Models;

/// <summary>Any object: apiVersion, kind and metadata typed, everything else (spec, data, status…) in Extra.</summary>
public sealed record GenericObject : MeshBridge.Transform.Model.KubernetesObject
{
    public GenericObject()
        : base(null, null)
    {
    }
}
