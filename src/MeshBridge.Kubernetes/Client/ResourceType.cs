namespace MeshBridge.Kubernetes.Client;

/// <summary>Names an API resource for the generic verbs: group, version, plural, kind and scope.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? $"api/{Version}" : $"apis/{Group}/{Version}";
        return Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}"
            : $"{root}/{Plural}";
    }

    public string ItemPath(string? ns, string name, string? subresource = null) =>
        $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}" + (subresource is null ? string.Empty : $"/{subresource}");
}
