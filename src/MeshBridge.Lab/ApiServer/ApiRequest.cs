using Microsoft.AspNetCore.Http;

namespace MeshBridge.Lab.ApiServer;

/// <summary>A resource request parsed from its path: <c>/apis/&lt;g&gt;/&lt;v&gt;/namespaces/&lt;ns&gt;/&lt;plural&gt;/&lt;name&gt;/&lt;sub&gt;</c>.</summary>
public sealed record ApiRequest(HttpContext Context, ApiResource Resource, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>The Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection.</summary>
    public string Verb { get; init; } = string.Empty;

    public string Query(string key) => Context.Request.Query[key].ToString();

    public bool Flag(string key) => Query(key) is "true" or "1";

    public StoreKey Key => new(StoreKey.ResourceId(Resource), Resource.Namespaced ? Namespace ?? string.Empty : string.Empty, Name ?? string.Empty);

    /// <summary>Parses a resource path against the catalog; null when it names no served resource.</summary>
    public static ApiRequest? Parse(HttpContext context, ResourceCatalog catalog)
    {
        var segments = context.Request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string groupVersion;
        int rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (groupVersion, rest) = (segments[1], 2);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (groupVersion, rest) = ($"{segments[1]}/{segments[2]}", 3);
        }
        else
        {
            return null;
        }

        var tail = segments[rest..];
        string? ns = null;
        if (tail.Length >= 3 && tail[0] == "namespaces" && catalog.Find(groupVersion, tail[2]) is { Namespaced: true })
        {
            ns = tail[1];
            tail = tail[2..];
        }

        var resource = catalog.Find(groupVersion, tail[0]);
        if (resource is null || tail.Length > 3)
        {
            return null;
        }

        var verb = VerbOf(context, tail.Length > 1);
        return new ApiRequest(context, resource, ns, tail.Length > 1 ? tail[1] : null, tail.Length > 2 ? tail[2] : null) { Verb = verb };
    }

    private static string VerbOf(HttpContext context, bool named)
    {
        var watch = context.Request.Query["watch"].ToString() is "true" or "1";
        return context.Request.Method switch
        {
            "GET" when watch => "watch",
            "GET" => named ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => named ? "delete" : "deletecollection",
            _ => context.Request.Method.ToLowerInvariant(),
        };
    }
}
