using MeshBridge.Lab.ApiServer.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>
/// Request attributes as kube-apiserver's RequestInfoFactory derives them, and rule matching as the RBAC authorizer's
/// RuleAllows does, wildcards included (pkg/apis/rbac/v1/evaluation_helpers.go).
/// </summary>
public sealed class RbacRuleTests
{
    [Theory]
    [InlineData("GET", "/apis/k8s.nginx.org/v1/namespaces/app/virtualservers", "", "list|k8s.nginx.org|virtualservers||app|")]
    [InlineData("GET", "/apis/k8s.nginx.org/v1/namespaces/app/virtualservers", "watch=true", "watch|k8s.nginx.org|virtualservers||app|")]
    [InlineData("GET", "/apis/k8s.nginx.org/v1/watch/namespaces/app/virtualservers/cafe", "", "watch|k8s.nginx.org|virtualservers||app|cafe")]
    [InlineData("GET", "/apis/k8s.nginx.org/v1/virtualservers", "", "list|k8s.nginx.org|virtualservers|||")]
    [InlineData("GET", "/api/v1/namespaces/app/secrets", "fieldSelector=metadata.name%3Dtls", "list|core|secrets||app|tls")]
    [InlineData("GET", "/api/v1/namespaces/app/secrets/tls", "", "get|core|secrets||app|tls")]
    [InlineData("PUT", "/apis/k8s.nginx.org/v1/namespaces/app/virtualservers/cafe/status", "", "update|k8s.nginx.org|virtualservers|status|app|cafe")]
    [InlineData("PATCH", "/apis/k8s.nginx.org/v1/namespaces/app/virtualservers/cafe", "", "patch|k8s.nginx.org|virtualservers||app|cafe")]
    [InlineData("POST", "/api/v1/namespaces/app/serviceaccounts/nic/token", "", "create|core|serviceaccounts|token|app|nic")]
    [InlineData("DELETE", "/api/v1/namespaces/app/configmaps", "", "deletecollection|core|configmaps||app|")]
    [InlineData("DELETE", "/api/v1/namespaces/app/configmaps/c", "", "delete|core|configmaps||app|c")]
    [InlineData("GET", "/api/v1/namespaces/app", "", "get|core|namespaces||app|app")]
    [InlineData("PUT", "/api/v1/namespaces/app/finalize", "", "update|core|namespaces|finalize|app|app")]
    [InlineData("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", "create|authorization.k8s.io|selfsubjectaccessreviews|||")]
    public void Resource_requests_carry_the_verb_group_resource_subresource_namespace_and_name_kube_apiserver_derives(string method, string path, string query, string expected)
    {
        var attributes = RbacAttributes.From(method, path, Query(query));

        Assert.True(attributes.IsResourceRequest);
        Assert.Equal(expected, string.Join('|', attributes.Verb, attributes.Group.Length == 0 ? "core" : attributes.Group, attributes.Resource, attributes.Subresource, attributes.Namespace, attributes.Name));
    }

    [Theory]
    [InlineData("GET", "/api", "get")]
    [InlineData("GET", "/api/v1", "get")]
    [InlineData("GET", "/apis/k8s.nginx.org/v1", "get")]
    [InlineData("GET", "/openapi/v3", "get")]
    [InlineData("GET", "/version", "get")]
    [InlineData("POST", "/logs", "post")]
    public void Discovery_and_other_paths_are_non_resource_requests_with_the_lowercased_method_as_verb(string method, string path, string verb)
    {
        var attributes = RbacAttributes.From(method, path, Query(""));

        Assert.False(attributes.IsResourceRequest);
        Assert.Equal((verb, path), (attributes.Verb, attributes.Path));
    }

    [Theory]
    [InlineData("get", "k8s.nginx.org", "virtualservers/status", "*", "*", "*", true)]
    [InlineData("get", "k8s.nginx.org", "virtualservers", "get", "k8s.nginx.org", "*", true)]
    [InlineData("get", "k8s.nginx.org", "virtualservers/status", "get", "k8s.nginx.org", "virtualservers", false)]
    [InlineData("get", "k8s.nginx.org", "virtualservers/status", "get", "k8s.nginx.org", "*/status", true)]
    [InlineData("get", "k8s.nginx.org", "virtualservers/status", "get", "k8s.nginx.org", "virtualservers/*", false)]
    [InlineData("get", "k8s.nginx.org", "virtualservers", "get", "*", "virtualservers", true)]
    [InlineData("get", "", "virtualservers", "get", "k8s.nginx.org", "virtualservers", false)]
    [InlineData("watch", "k8s.nginx.org", "virtualservers", "get,list", "k8s.nginx.org", "virtualservers", false)]
    public void Resource_rules_honour_wildcards_and_match_subresources_only_as_resource_slash_subresource(
        string verb, string group, string combined, string ruleVerbs, string ruleGroups, string ruleResources, bool allowed)
    {
        var parts = combined.Split('/');
        var attributes = new RbacAttributes
        {
            IsResourceRequest = true,
            Verb = verb,
            Group = group,
            Resource = parts[0],
            Subresource = parts.Length > 1 ? parts[1] : string.Empty,
            Namespace = "app",
            Name = "cafe",
        };
        var rule = new RbacPolicyRule { Verbs = ruleVerbs.Split(','), ApiGroups = ruleGroups.Split(','), Resources = ruleResources.Split(',') };

        Assert.Equal(allowed, rule.Allows(attributes));
    }

    [Theory]
    [InlineData("/apis", "/apis", true)]
    [InlineData("/apis/k8s.nginx.org/v1", "/apis/*", true)]
    [InlineData("/apis", "/apis/*", false)]
    [InlineData("/metrics", "*", true)]
    [InlineData("/healthz/etcd", "/healthz", false)]
    public void Non_resource_urls_match_exactly_or_by_a_trailing_star_prefix(string path, string ruleUrl, bool allowed)
    {
        var rule = new RbacPolicyRule { Verbs = ["get"], NonResourceUrls = [ruleUrl] };

        Assert.Equal(allowed, rule.Allows(new RbacAttributes { Verb = "get", Path = path }));
    }

    [Fact]
    public void A_resourceNames_rule_never_matches_a_request_without_a_name()
    {
        var rule = new RbacPolicyRule { Verbs = ["*"], ApiGroups = [""], Resources = ["secrets"], ResourceNames = ["tls"] };
        RbacAttributes Request(string verb, string name) => new() { IsResourceRequest = true, Verb = verb, Resource = "secrets", Namespace = "app", Name = name };

        Assert.True(rule.Allows(Request("get", "tls")));
        Assert.False(rule.Allows(Request("get", "other")));
        Assert.False(rule.Allows(Request("list", "")));
        Assert.False(rule.Allows(Request("create", "")));
    }

    private static QueryCollection Query(string query) =>
        new(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => (StringValues)p.Value));
}
