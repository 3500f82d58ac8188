using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// Legacy discovery (<c>/api</c>, <c>/apis</c>, <c>/api/v1</c>, <c>/apis/&lt;g&gt;/&lt;v&gt;</c>) and the minimal OpenAPI v3
/// that makes kubectl send <c>fieldValidation</c> instead of validating client-side (reference/kube-api.md §1, §2).
/// kubectl asks for aggregated discovery first but accepts the legacy documents.
/// </summary>
public static class DiscoveryDocuments
{
    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject Groups(ResourceCatalog catalog)
    {
        var groups = new JsonArray();
        foreach (var group in catalog.All.Where(r => r.Group.Length > 0).GroupBy(r => r.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var versions = group.Select(r => r.Version).Distinct().Order(StringComparer.Ordinal)
                .Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group.Key}/{v}", ["version"] = v }).ToArray();
            groups.Add(new JsonObject
            {
                ["name"] = group.Key,
                ["versions"] = new JsonArray(versions),
                ["preferredVersion"] = versions[0].DeepClone(),
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public static JsonObject? Resources(ResourceCatalog catalog, string groupVersion)
    {
        var served = catalog.All.Where(r => r.GroupVersion == groupVersion).ToList();
        if (served.Count == 0)
        {
            return null;
        }

        var list = new JsonArray();
        foreach (var resource in served)
        {
            list.Add(Entry(resource.Plural, resource, resource.Verbs, withNames: true));
            if (resource.HasStatusSubresource)
            {
                list.Add(Entry($"{resource.Plural}/status", resource, ["get", "patch", "update"], withNames: false));
            }

            if (resource is { Group: "", Plural: "serviceaccounts" })
            {
                list.Add(new JsonObject
                {
                    ["name"] = "serviceaccounts/token",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = true,
                    ["group"] = "authentication.k8s.io",
                    ["version"] = "v1",
                    ["kind"] = "TokenRequest",
                    ["verbs"] = new JsonArray("create"),
                });
            }
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = list };
    }

    public static JsonObject OpenApiRoot(ResourceCatalog catalog)
    {
        var paths = new JsonObject();
        foreach (var groupVersion in catalog.All.Select(r => r.GroupVersion).Distinct())
        {
            var prefix = groupVersion.Contains('/', StringComparison.Ordinal) ? $"apis/{groupVersion}" : $"api/{groupVersion}";
            paths[prefix] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{prefix}?hash={Hash(catalog, groupVersion)}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>A patch operation per resource, declaring the fieldValidation parameter (all kubectl checks for).</summary>
    public static JsonObject? OpenApiGroupVersion(ResourceCatalog catalog, string groupVersion)
    {
        var served = catalog.All.Where(r => r.GroupVersion == groupVersion).ToList();
        if (served.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var resource in served)
        {
            var root = resource.Group.Length == 0 ? "/api/v1" : $"/apis/{resource.GroupVersion}";
            var path = resource.Namespaced ? $"{root}/namespaces/{{namespace}}/{resource.Plural}/{{name}}" : $"{root}/{resource.Plural}/{{name}}";
            paths[path] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = resource.Group, ["version"] = resource.Version, ["kind"] = resource.Kind },
                    ["parameters"] = new JsonArray(new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }

        return new JsonObject { ["openapi"] = "3.0.0", ["info"] = new JsonObject { ["title"] = "MeshBridge lab", ["version"] = "v1" }, ["paths"] = paths };
    }

    private static JsonObject Entry(string name, ApiResource resource, IReadOnlyList<string> verbs, bool withNames)
    {
        var entry = new JsonObject
        {
            ["name"] = name,
            ["singularName"] = withNames ? resource.Singular : string.Empty,
            ["namespaced"] = resource.Namespaced,
            ["kind"] = resource.Kind,
            ["verbs"] = new JsonArray([.. verbs.Select(v => (JsonNode)v)]),
        };
        if (withNames && resource.ShortNames.Count > 0)
        {
            entry["shortNames"] = new JsonArray([.. resource.ShortNames.Select(s => (JsonNode)s)]);
        }

        if (withNames && resource.Categories.Count > 0)
        {
            entry["categories"] = new JsonArray([.. resource.Categories.Select(s => (JsonNode)s)]);
        }

        return entry;
    }

    private static string Hash(ResourceCatalog catalog, string groupVersion) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join(',', catalog.All.Where(r => r.GroupVersion == groupVersion).Select(r => r.Plural)))))[..16];
}
