using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// rbac.authorization.k8s.io/v1 PolicyRule and its matching (pkg/apis/rbac/v1/evaluation_helpers.go,
/// plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows), wildcards included.
/// </summary>
public sealed record RbacPolicyRule
{
    public IReadOnlyList<string> Verbs { get; init; } = [];

    public IReadOnlyList<string> ApiGroups { get; init; } = [];

    public IReadOnlyList<string> Resources { get; init; } = [];

    public IReadOnlyList<string> ResourceNames { get; init; } = [];

    public IReadOnlyList<string> NonResourceUrls { get; init; } = [];

    public static RbacPolicyRule FromJson(JsonNode? rule) => new()
    {
        Verbs = Strings(rule?["verbs"]),
        ApiGroups = Strings(rule?["apiGroups"]),
        Resources = Strings(rule?["resources"]),
        ResourceNames = Strings(rule?["resourceNames"]),
        NonResourceUrls = Strings(rule?["nonResourceURLs"]),
    };

    public static IReadOnlyList<RbacPolicyRule> ListFromJson(JsonNode? rules) =>
        (rules as JsonArray)?.Select(FromJson).ToList() ?? [];

    public bool Allows(RbacAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (!Verbs.Any(v => v == "*" || v == attributes.Verb))
        {
            return false;
        }

        if (!attributes.IsResourceRequest)
        {
            return NonResourceUrls.Any(url => url == "*" || url == attributes.Path ||
                (url.EndsWith('*') && attributes.Path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal)));
        }

        return ApiGroups.Any(g => g == "*" || g == attributes.Group) &&
            ResourceMatches(attributes.CombinedResource, attributes.Subresource) &&
            (ResourceNames.Count == 0 || ResourceNames.Contains(attributes.Name, StringComparer.Ordinal));
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["verbs"] = Array(Verbs) };
        if (ApiGroups.Count > 0)
        {
            json["apiGroups"] = Array(ApiGroups);
        }

        if (Resources.Count > 0)
        {
            json["resources"] = Array(Resources);
        }

        if (ResourceNames.Count > 0)
        {
            json["resourceNames"] = Array(ResourceNames);
        }

        if (NonResourceUrls.Count > 0)
        {
            json["nonResourceURLs"] = Array(NonResourceUrls);
        }

        return json;
    }

    private bool ResourceMatches(string combined, string subresource) => Resources.Any(r =>
        r == "*" || r == combined ||
        (subresource.Length > 0 && r.Length == subresource.Length + 2 && r.StartsWith("*/", StringComparison.Ordinal) && r.EndsWith(subresource, StringComparison.Ordinal)));

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    private static List<string> Strings(JsonNode? node) => (node as JsonArray)?
        .Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty)
        .ToList() ?? [];
}
