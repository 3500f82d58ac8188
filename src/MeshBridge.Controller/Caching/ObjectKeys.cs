using MeshBridge.Transform.Model;

namespace MeshBridge.Controller.Caching;

/// <summary>The work queue's key for an object, <c>namespace/name</c>, and back.</summary>
public static class ObjectKeys
{
    public static string Of(KubernetesObject obj) => Of(obj.Metadata.Namespace(), obj.Metadata.Name);

    public static string Of(string? ns, string? name) => $"{ns}/{name}";

    public static (string Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }
}
