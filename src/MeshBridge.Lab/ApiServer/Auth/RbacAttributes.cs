using Microsoft.AspNetCore.Http;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// What RBAC decides on (k8s.io/apiserver authorizer.Attributes), derived from the path and method the way
/// kube-apiserver's RequestInfoFactory does (apiserver/pkg/endpoints/request/requestinfo.go), before and independently
/// of whether the resource exists: an unauthorized request for an unknown resource is 403, not 404.
/// </summary>
public sealed record RbacAttributes
{
    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    public required string Verb { get; init; }

    public bool IsResourceRequest { get; init; }

    public string Group { get; init; } = string.Empty;

    public string Version { get; init; } = string.Empty;

    public string Resource { get; init; } = string.Empty;

    public string Subresource { get; init; } = string.Empty;

    public string Namespace { get; init; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    /// <summary>The request path, for non-resource requests (<c>/api</c>, <c>/version</c>, <c>/openapi/v3</c>).</summary>
    public string Path { get; init; } = "/";

    /// <summary><c>resource/subresource</c>, what a rule's <c>resources</c> entry is compared with.</summary>
    public string CombinedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    public static RbacAttributes FromHttp(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return From(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.Query);
    }

    /// <summary>RequestInfoFactory.NewRequestInfo for the <c>api</c> and <c>apis</c> prefixes.</summary>
    public static RbacAttributes From(string method, string path, IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var nonResource = new RbacAttributes { Verb = method.ToLowerInvariant(), Path = path };
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || parts[0] is not ("api" or "apis"))
        {
            return nonResource;
        }

        var rest = parts.AsSpan(1);
        var group = string.Empty;
        if (parts[0] == "apis")
        {
            if (rest.Length < 3)
            {
                return nonResource;
            }

            group = rest[0];
            rest = rest[1..];
        }

        var version = rest[0];
        rest = rest[1..];
        string verb;
        if (rest[0] is "watch" or "proxy")
        {
            if (rest.Length < 2)
            {
                return nonResource;
            }

            verb = rest[0];
            rest = rest[1..];
        }
        else
        {
            verb = method switch
            {
                "POST" => "create",
                "GET" or "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => string.Empty,
            };
        }

        var ns = string.Empty;
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            ns = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2]))
            {
                rest = rest[2..];
            }
        }

        var resource = rest[0];
        var name = rest.Length >= 2 ? rest[1] : string.Empty;
        var subresource = rest.Length >= 3 && verb != "proxy" ? rest[2] : string.Empty;
        if (name.Length == 0 && verb == "get")
        {
            verb = query["watch"].ToString() is "true" or "1" ? "watch" : "list";
            // A list or watch pinned to one name by its field selector carries that name (requestinfo.go), so a
            // resourceNames rule can allow it: client-go's informer for one object relies on this.
            name = NameFromFieldSelector(query["fieldSelector"].ToString());
        }

        if (name.Length == 0 && verb == "delete")
        {
            verb = "deletecollection";
        }

        return new RbacAttributes
        {
            Verb = verb,
            IsResourceRequest = true,
            Group = group,
            Version = version,
            Resource = resource,
            Subresource = subresource,
            Namespace = ns,
            Name = name,
            Path = path,
        };
    }

    /// <summary><c>metadata.name=x</c> or <c>metadata.name==x</c> as one term of the selector (RequiresExactMatch).</summary>
    private static string NameFromFieldSelector(string selector)
    {
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var trimmed = term.Trim();
            foreach (var op in new[] { "==", "=" })
            {
                if (trimmed.StartsWith("metadata.name" + op, StringComparison.Ordinal) && !trimmed.StartsWith("metadata.name!=", StringComparison.Ordinal))
                {
                    var value = trimmed[("metadata.name" + op).Length..].Trim();
                    return IsValidPathSegmentName(value) ? value : string.Empty;
                }
            }
        }

        return string.Empty;
    }

    private static bool IsValidPathSegmentName(string name) =>
        name.Length > 0 && name is not ("." or "..") && !name.Contains('/', StringComparison.Ordinal) && !name.Contains('%', StringComparison.Ordinal);
}
