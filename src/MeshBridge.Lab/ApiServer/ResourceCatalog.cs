using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MeshBridge.Lab.Crds;

namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// The resources the lab serves: the built-in kinds MeshBridge and kubectl use (DESIGN.md §5, reference/kube-api.md
/// §1), plus custom resources registered from CustomResourceDefinitions at run time.
/// </summary>
public sealed class ResourceCatalog
{
    private readonly ConcurrentDictionary<(string GroupVersion, string Plural), ApiResource> resources = new();

    public ResourceCatalog()
    {
        foreach (var resource in BuiltIn())
        {
            Add(resource);
        }
    }

    public IEnumerable<ApiResource> All => resources.Values.OrderBy(r => r.GroupVersion, StringComparer.Ordinal).ThenBy(r => r.Plural, StringComparer.Ordinal);

    public ApiResource? Find(string groupVersion, string plural) => resources.GetValueOrDefault((groupVersion, plural));

    public ApiResource? FindKind(string apiVersion, string kind) => resources.Values.FirstOrDefault(r => r.GroupVersion == apiVersion && r.Kind == kind);

    public void Add(ApiResource resource) => resources[(resource.GroupVersion, resource.Plural)] = resource;

    public void Remove(ApiResource resource) => resources.TryRemove((resource.GroupVersion, resource.Plural), out _);

    /// <summary>Registers every served version of a CRD (apiextensions.k8s.io/v1) with its structural schema.</summary>
    public IReadOnlyList<ApiResource> AddCustomResourceDefinition(JsonNode crd)
    {
        var spec = crd["spec"] ?? throw new ArgumentException("CustomResourceDefinition has no spec");
        var names = spec["names"]!;
        var added = new List<ApiResource>();
        foreach (var version in spec["versions"]?.AsArray() ?? [])
        {
            if (version?["served"]?.GetValue<bool>() == false)
            {
                continue;
            }

            var name = version!["name"]!.GetValue<string>();
            var resource = new ApiResource
            {
                Group = spec["group"]!.GetValue<string>(),
                Version = name,
                Plural = names["plural"]!.GetValue<string>(),
                Singular = names["singular"]?.GetValue<string>() ?? names["kind"]!.GetValue<string>().ToLowerInvariant(),
                Kind = names["kind"]!.GetValue<string>(),
                Namespaced = spec["scope"]?.GetValue<string>() != "Cluster",
                ShortNames = names["shortNames"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [],
                Categories = names["categories"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [],
                HasGeneration = true,
                HasStatusSubresource = version["subresources"]?["status"] is not null,
                Schema = StructuralSchema.FromCrd(crd, name),
            };
            Add(resource);
            added.Add(resource);
        }

        return added;
    }

    private static IEnumerable<ApiResource> BuiltIn()
    {
        ApiResource Core(string plural, string kind, bool namespaced = true, string[]? shortNames = null, bool status = false) => new()
        {
            Group = string.Empty,
            Version = "v1",
            Plural = plural,
            Singular = kind.ToLowerInvariant(),
            Kind = kind,
            Namespaced = namespaced,
            ShortNames = shortNames ?? [],
            HasStatusSubresource = status,
        };

        yield return Core("namespaces", "Namespace", namespaced: false, shortNames: ["ns"], status: true);
        yield return Core("configmaps", "ConfigMap", shortNames: ["cm"]);
        yield return Core("secrets", "Secret");
        yield return Core("serviceaccounts", "ServiceAccount", shortNames: ["sa"]);
        yield return Core("services", "Service", shortNames: ["svc"], status: true);
        yield return Core("endpoints", "Endpoints", shortNames: ["ep"]);
        yield return Core("pods", "Pod", shortNames: ["po"], status: true);
        yield return Core("events", "Event", shortNames: ["ev"]);
        foreach (var (plural, kind, shortName) in new[] { ("deployments", "Deployment", "deploy"), ("daemonsets", "DaemonSet", "ds"), ("statefulsets", "StatefulSet", "sts") })
        {
            yield return new ApiResource
            {
                Group = "apps",
                Version = "v1",
                Plural = plural,
                Singular = kind.ToLowerInvariant(),
                Kind = kind,
                ShortNames = [shortName],
                HasGeneration = true,
                HasStatusSubresource = true,
            };
        }

        yield return new ApiResource { Group = "coordination.k8s.io", Version = "v1", Plural = "leases", Singular = "lease", Kind = "Lease" };

        // What MeshBridge's install (deploy/) brings besides Deployments and RBAC, so `kubectl apply -k` works on the lab.
        yield return new ApiResource { Group = "policy", Version = "v1", Plural = "poddisruptionbudgets", Singular = "poddisruptionbudget", Kind = "PodDisruptionBudget", ShortNames = ["pdb"], HasGeneration = true, HasStatusSubresource = true };
        yield return new ApiResource { Group = "events.k8s.io", Version = "v1", Plural = "events", Singular = "event", Kind = "Event", ShortNames = ["ev"] };
        yield return new ApiResource { Group = "discovery.k8s.io", Version = "v1", Plural = "endpointslices", Singular = "endpointslice", Kind = "EndpointSlice" };
        yield return new ApiResource { Group = "networking.k8s.io", Version = "v1", Plural = "ingressclasses", Singular = "ingressclass", Kind = "IngressClass", Namespaced = false, HasGeneration = true };
        yield return new ApiResource { Group = "authentication.k8s.io", Version = "v1", Plural = "tokenreviews", Singular = "tokenreview", Kind = "TokenReview", Namespaced = false, Virtual = true };
        yield return new ApiResource { Group = "authentication.k8s.io", Version = "v1", Plural = "selfsubjectreviews", Singular = "selfsubjectreview", Kind = "SelfSubjectReview", Namespaced = false, Virtual = true };
        yield return new ApiResource { Group = "authorization.k8s.io", Version = "v1", Plural = "selfsubjectaccessreviews", Singular = "selfsubjectaccessreview", Kind = "SelfSubjectAccessReview", Namespaced = false, Virtual = true };
        yield return new ApiResource { Group = "authorization.k8s.io", Version = "v1", Plural = "selfsubjectrulesreviews", Singular = "selfsubjectrulesreview", Kind = "SelfSubjectRulesReview", Namespaced = false, Virtual = true };
        yield return new ApiResource
        {
            Group = "apiextensions.k8s.io",
            Version = "v1",
            Plural = "customresourcedefinitions",
            Singular = "customresourcedefinition",
            Kind = "CustomResourceDefinition",
            Namespaced = false,
            ShortNames = ["crd", "crds"],
            HasGeneration = true,
            HasStatusSubresource = true,
        };
        foreach (var (plural, kind) in new[] { ("roles", "Role"), ("rolebindings", "RoleBinding"), ("clusterroles", "ClusterRole"), ("clusterrolebindings", "ClusterRoleBinding") })
        {
            yield return new ApiResource
            {
                Group = "rbac.authorization.k8s.io",
                Version = "v1",
                Plural = plural,
                Singular = kind.ToLowerInvariant(),
                Kind = kind,
                Namespaced = !plural.StartsWith("cluster", StringComparison.Ordinal),
            };
        }
    }
}
