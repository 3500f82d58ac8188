using MeshBridge.Lab.Crds;

namespace MeshBridge.Lab.ApiServer;

/// <summary>One resource the lab serves: what discovery advertises and the storage rules that apply to it.</summary>
public sealed record ApiResource
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required string Kind { get; init; }

    public bool Namespaced { get; init; } = true;

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Custom resources and workloads bump generation on spec changes; ConfigMaps, Leases, Events do not.</summary>
    public bool HasGeneration { get; init; }

    public bool HasStatusSubresource { get; init; }

    /// <summary>Create-only virtual resources (TokenReview) are not stored.</summary>
    public bool Virtual { get; init; }

    /// <summary>The CRD's structural schema, for custom resources.</summary>
    public StructuralSchema? Schema { get; init; }

    public bool IsCustom => Schema is not null;

    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>How the API server names the resource in messages: <c>virtualservers.k8s.nginx.org</c>, <c>configmaps</c>.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public IReadOnlyList<string> Verbs => Virtual ? ["create"] : ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}
