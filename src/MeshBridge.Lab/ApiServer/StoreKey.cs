namespace MeshBridge.Lab.ApiServer;

/// <summary>Where an object lives: its resource (<c>group/version/plural</c>), namespace ("" when cluster-scoped) and name.</summary>
public readonly record struct StoreKey(string Resource, string Namespace, string Name)
{
    public static string ResourceId(ApiResource resource) => $"{resource.GroupVersion}/{resource.Plural}";
}
