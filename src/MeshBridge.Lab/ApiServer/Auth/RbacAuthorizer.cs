using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// kube-apiserver's RBAC authorizer (plugin/pkg/auth/authorizer/rbac) over the Roles, ClusterRoles, RoleBindings and
/// ClusterRoleBindings in the lab's store, read on every decision so a change applies to the next request. The
/// privileged-groups authorizer in front of it allows <c>system:masters</c> everything.
/// <para>
/// Built in, as kube-apiserver's bootstrap policy (bootstrappolicy/policy.go, cluster_roles.go) grants them, and not
/// stored (so not listable): ClusterRole <c>system:discovery</c> (get <c>/api</c>, <c>/api/*</c>, <c>/apis</c>,
/// <c>/apis/*</c>, <c>/openapi</c>, <c>/openapi/*</c>, <c>/healthz</c>, <c>/livez</c>, <c>/readyz</c>,
/// <c>/version</c>, <c>/version/</c>), <c>system:basic-user</c> (create selfsubjectaccessreviews and
/// selfsubjectrulesreviews in authorization.k8s.io, selfsubjectreviews in authentication.k8s.io) and
/// <c>system:public-info-viewer</c> (get <c>/healthz</c>, <c>/livez</c>, <c>/readyz</c>, <c>/version</c>,
/// <c>/version/</c>), each bound to group <c>system:authenticated</c>; <c>system:service-account-issuer-discovery</c>
/// bound to <c>system:serviceaccounts</c>; and the ClusterRole <c>cluster-admin</c> (everything), bound to nobody but
/// available to bindings. A stored ClusterRole of the same name takes precedence over a built-in one.
/// </para>
/// <para>
/// Not emulated: ClusterRole aggregation (<c>aggregationRule</c>; only <c>rules</c> count), the escalation check on
/// writing roles and bindings, impersonation, the admin/edit/view roles, and validation of RBAC objects on write.
/// </para>
/// </summary>
public sealed class RbacAuthorizer
{
    private const string Rbac = "rbac.authorization.k8s.io/v1/";
    private static readonly Dictionary<string, IReadOnlyList<RbacPolicyRule>> BuiltInClusterRoles = new()
    {
        ["system:discovery"] = [NonResource(["get"], "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/")],
        ["system:basic-user"] =
        [
            new RbacPolicyRule { Verbs = ["create"], ApiGroups = ["authorization.k8s.io"], Resources = ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] },
            new RbacPolicyRule { Verbs = ["create"], ApiGroups = ["authentication.k8s.io"], Resources = ["selfsubjectreviews"] },
        ],
        ["system:public-info-viewer"] = [NonResource(["get"], "/healthz", "/livez", "/readyz", "/version", "/version/")],
        ["system:service-account-issuer-discovery"] = [NonResource(["get"], "/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/")],
        ["cluster-admin"] =
        [
            new RbacPolicyRule { Verbs = ["*"], ApiGroups = ["*"], Resources = ["*"] },
            NonResource(["*"], "*"),
        ],
    };

    /// <summary>The bootstrap ClusterRoleBindings (name, role, group) the built-in roles come with.</summary>
    private static readonly (string Binding, string Role, string Group)[] BuiltInBindings =
    [
        ("system:discovery", "system:discovery", "system:authenticated"),
        ("system:basic-user", "system:basic-user", "system:authenticated"),
        ("system:public-info-viewer", "system:public-info-viewer", "system:authenticated"),
        ("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", "system:serviceaccounts"),
    ];

    private readonly ObjectStore store;
    private readonly ConcurrentQueue<RbacDenial> denials = new();

    public RbacAuthorizer(ObjectStore store)
    {
        this.store = store;
    }

    /// <summary>Every request denied so far, oldest first (a snapshot).</summary>
    public IReadOnlyList<RbacDenial> Denials => [.. denials];

    public void ClearDenials() => denials.Clear();

    /// <summary>Decides like kube-apiserver's <c>Node,RBAC</c> chain behind the privileged-groups authorizer.</summary>
    public RbacDecision Authorize(LabUser user, RbacAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(attributes);
        if (user.IsMaster)
        {
            return new RbacDecision(true, string.Empty);
        }

        var errors = new List<string>();
        foreach (var (source, rules) in RulesFor(user, attributes.Namespace, errors))
        {
            if (rules.Any(r => r.Allows(attributes)))
            {
                return new RbacDecision(true, $"RBAC: allowed by {source}");
            }
        }

        var distinct = errors.Distinct(StringComparer.Ordinal).ToList();
        var reason = distinct.Count switch
        {
            0 => string.Empty,
            1 => $"RBAC: {distinct[0]}",
            _ => $"RBAC: [{string.Join(", ", distinct)}]",
        };
        return new RbacDecision(false, reason);
    }

    /// <summary>The rules that apply to <paramref name="user"/> in <paramref name="ns"/> (SelfSubjectRulesReview).</summary>
    public IReadOnlyList<RbacPolicyRule> RulesFor(LabUser user, string ns)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsMaster
            ? BuiltInClusterRoles["cluster-admin"]
            : RulesFor(user, ns, []).SelectMany(r => r.Rules).ToList();
    }

    internal void RecordDenial(LabUser user, RbacAttributes a) =>
        denials.Enqueue(new RbacDenial(user.Name, a.Verb, a.Group, a.Resource, a.Subresource, a.Namespace, a.Name, a.Path));

    /// <summary>
    /// The 403 kube-apiserver writes (apiserver/pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage,
    /// apimachinery errors.NewForbidden): details name, group, and kind = the resource without its subresource.
    /// </summary>
    public static ApiError Forbidden(LabUser user, RbacAttributes attributes, string reason)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(attributes);
        string message;
        if (!attributes.IsResourceRequest)
        {
            message = $"User \"{user.Name}\" cannot {attributes.Verb} path \"{attributes.Path}\"";
        }
        else if (attributes.Namespace.Length > 0)
        {
            message = $"User \"{user.Name}\" cannot {attributes.Verb} resource \"{attributes.CombinedResource}\" in API group \"{attributes.Group}\" in the namespace \"{attributes.Namespace}\"";
        }
        else
        {
            message = $"User \"{user.Name}\" cannot {attributes.Verb} resource \"{attributes.CombinedResource}\" in API group \"{attributes.Group}\" at the cluster scope";
        }

        if (reason.Length > 0)
        {
            message = $"{message}: {reason}";
        }

        var details = new JsonObject();
        if (attributes.Name.Length > 0)
        {
            details["name"] = attributes.Name;
        }

        if (attributes.Group.Length > 0)
        {
            details["group"] = attributes.Group;
        }

        if (attributes.Resource.Length > 0)
        {
            details["kind"] = attributes.Resource;
        }

        var qualified = attributes.Group.Length == 0 ? attributes.Resource : $"{attributes.Resource}.{attributes.Group}";
        var text = qualified.Length == 0 ? $"forbidden: {message}"
            : attributes.Name.Length == 0 ? $"{qualified} is forbidden: {message}"
            : $"{qualified} \"{attributes.Name}\" is forbidden: {message}";
        return new ApiError(403, "Forbidden", text, details);
    }

    /// <summary>
    /// VisitRulesFor (plugin/pkg/auth/authorizer/rbac/rule.go): ClusterRoleBindings first, then, for a namespaced
    /// request, the RoleBindings of that namespace; a missing role is an error, not a grant.
    /// </summary>
    private IEnumerable<(string Source, IReadOnlyList<RbacPolicyRule> Rules)> RulesFor(LabUser user, string ns, List<string> errors)
    {
        foreach (var (binding, role, group) in BuiltInBindings)
        {
            if (user.Groups.Contains(group, StringComparer.Ordinal))
            {
                yield return ($"ClusterRoleBinding \"{binding}\" of ClusterRole \"{role}\" to Group \"{group}\"", BuiltInClusterRoles[role]);
            }
        }

        foreach (var binding in store.List(Rbac + "clusterrolebindings", null).Items)
        {
            foreach (var found in Bound(user, binding, string.Empty, errors))
            {
                yield return found;
            }
        }

        if (ns.Length == 0)
        {
            yield break;
        }

        foreach (var binding in store.List(Rbac + "rolebindings", ns).Items)
        {
            foreach (var found in Bound(user, binding, ns, errors))
            {
                yield return found;
            }
        }
    }

    private IEnumerable<(string Source, IReadOnlyList<RbacPolicyRule> Rules)> Bound(LabUser user, JsonObject binding, string bindingNamespace, List<string> errors)
    {
        var name = Text(binding["metadata"]?["name"]);
        var roleKind = Text(binding["roleRef"]?["kind"]);
        var roleName = Text(binding["roleRef"]?["name"]);
        // Only the first subject that applies is used (rule.go appliesTo).
        var subject = (binding["subjects"] as JsonArray ?? []).FirstOrDefault(s => AppliesTo(user, s, bindingNamespace));
        if (subject is null || RoleRules(roleKind, roleName, bindingNamespace, errors) is not { } rules)
        {
            yield break;
        }

        var description = bindingNamespace.Length == 0
            ? $"ClusterRoleBinding \"{name}\" of {roleKind} \"{roleName}\" to {Describe(subject, string.Empty)}"
            : $"RoleBinding \"{name}/{bindingNamespace}\" of {roleKind} \"{roleName}\" to {Describe(subject, bindingNamespace)}";
        yield return (description, rules);
    }

    private IReadOnlyList<RbacPolicyRule>? RoleRules(string kind, string name, string bindingNamespace, List<string> errors)
    {
        switch (kind)
        {
            case "Role":
                if (store.Get(new StoreKey(Rbac + "roles", bindingNamespace, name)) is { } role)
                {
                    return RbacPolicyRule.ListFromJson(role["rules"]);
                }

                errors.Add($"role.rbac.authorization.k8s.io \"{name}\" not found");
                return null;
            case "ClusterRole":
                if (store.Get(new StoreKey(Rbac + "clusterroles", string.Empty, name)) is { } clusterRole)
                {
                    return RbacPolicyRule.ListFromJson(clusterRole["rules"]);
                }

                if (BuiltInClusterRoles.TryGetValue(name, out var builtIn))
                {
                    return builtIn;
                }

                errors.Add($"clusterrole.rbac.authorization.k8s.io \"{name}\" not found");
                return null;
            default:
                errors.Add($"unsupported role reference kind: \"{kind}\"");
                return null;
        }
    }

    /// <summary>appliesToUser (rule.go): a ServiceAccount subject without a namespace takes the binding's.</summary>
    private static bool AppliesTo(LabUser user, JsonNode? subject, string bindingNamespace)
    {
        var name = Text(subject?["name"]);
        switch (Text(subject?["kind"]))
        {
            case "User":
                return user.Name == name;
            case "Group":
                return user.Groups.Contains(name, StringComparer.Ordinal);
            case "ServiceAccount":
                var ns = Text(subject?["namespace"]) is { Length: > 0 } given ? given : bindingNamespace;
                return ns.Length > 0 && user.Name == $"system:serviceaccount:{ns}:{name}";
            default:
                return false;
        }
    }

    private static string Describe(JsonNode? subject, string bindingNamespace)
    {
        var kind = Text(subject?["kind"]);
        var name = Text(subject?["name"]);
        if (kind != "ServiceAccount")
        {
            return $"{kind} \"{name}\"";
        }

        var ns = Text(subject?["namespace"]) is { Length: > 0 } given ? given : bindingNamespace;
        return $"{kind} \"{name}/{ns}\"";
    }

    private static RbacPolicyRule NonResource(string[] verbs, params string[] urls) => new() { Verbs = verbs, NonResourceUrls = urls };

    private static string Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : string.Empty;
}
