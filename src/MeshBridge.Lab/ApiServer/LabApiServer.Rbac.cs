using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer.Auth;

namespace MeshBridge.Lab.ApiServer;

/// <summary>RBAC (<see cref="LabApiServerOptions.EnforceRbac"/>), self-subject reviews, and service-account kubeconfigs.</summary>
public sealed partial class LabApiServer
{
    /// <summary>The lab's RBAC authorizer: decisions over the stored roles and bindings, and the denials so far.</summary>
    public RbacAuthorizer Rbac { get; }

    /// <summary>Every request answered 403 by RBAC so far, oldest first (a thread-safe snapshot).</summary>
    public IReadOnlyList<RbacDenial> Denials => Rbac.Denials;

    /// <summary>
    /// Issues a service-account token through the lab's TokenRequest issuer (default audience, so the lab accepts it
    /// as a bearer token). The account must exist; deleting or re-creating it invalidates the token.
    /// </summary>
    public string IssueServiceAccountToken(string ns, string serviceAccount, TimeSpan? lifetime = null)
    {
        var account = Store.Get(new StoreKey("v1/serviceaccounts", ns, serviceAccount))
            ?? throw new InvalidOperationException($"serviceaccounts \"{serviceAccount}\" not found in namespace \"{ns}\"");
        var uid = account["metadata"]?["uid"]?.GetValue<string>() ?? string.Empty;
        var seconds = (long)(lifetime ?? TimeSpan.FromDays(365)).TotalSeconds;
        var issued = Tokens.Issue(new ServiceAccountReference(ns, serviceAccount, uid), new V1TokenRequestSpec { ExpirationSeconds = seconds });
        return issued.Token ?? throw new InvalidOperationException($"the lab refused a token for {ns}/{serviceAccount}: {issued.Failure?.Message}");
    }

    /// <summary>A kubeconfig that authenticates as <c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c>, namespace <paramref name="ns"/>.</summary>
    public string ServiceAccountKubeconfig(string ns, string serviceAccount, TimeSpan? lifetime = null, string contextName = "meshbridge-lab") =>
        KubeconfigFor(contextName, $"{ns}-{serviceAccount}", IssueServiceAccountToken(ns, serviceAccount, lifetime), ns);

    /// <summary>Writes <see cref="ServiceAccountKubeconfig"/> to <paramref name="path"/> (mode 0600) and returns the path.</summary>
    public string WriteServiceAccountKubeconfig(string path, string ns, string serviceAccount, TimeSpan? lifetime = null)
    {
        var text = ServiceAccountKubeconfig(ns, serviceAccount, lifetime);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private void Authorize(LabUser user, RbacAttributes attributes)
    {
        var decision = Rbac.Authorize(user, attributes);
        if (!decision.Allowed)
        {
            Rbac.RecordDenial(user, attributes);
            throw RbacAuthorizer.Forbidden(user, attributes, decision.Reason);
        }
    }

    /// <summary>
    /// SelfSubjectReview (who am I), SelfSubjectAccessReview and SelfSubjectRulesReview: the request echoed with its status, 201. With RBAC off the
    /// lab answers as kube-apiserver's AlwaysAllow authorizer does.
    /// </summary>
    private async Task SelfSubjectReviewAsync(ApiRequest request, LabUser user)
    {
        var context = request.Context;
        if (request.Resource.Plural == "selfsubjectreviews")
        {
            // kubectl auth whoami: who the request authenticated as (authentication.k8s.io/v1 SelfSubjectReview).
            await ResourceEndpoint.WriteJsonAsync(context, 201, new JsonObject
            {
                ["kind"] = "SelfSubjectReview",
                ["apiVersion"] = "authentication.k8s.io/v1",
                ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
                ["status"] = new JsonObject
                {
                    ["userInfo"] = new JsonObject
                    {
                        ["username"] = user.Name,
                        ["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode)JsonValue.Create(g))]),
                    },
                },
            }).ConfigureAwait(false);
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var protobuf = (context.Request.ContentType ?? string.Empty).Contains("protobuf", StringComparison.Ordinal);
        JsonObject body;
        try
        {
            body = RbacSelfSubjectReviews.Read(buffer.ToArray(), protobuf, request.Resource.Kind);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            throw ApiError.BadRequest($"the {request.Resource.Kind} body could not be decoded: {e.Message}");
        }

        var spec = body["spec"] as JsonObject ?? [];
        var status = request.Resource.Plural == "selfsubjectaccessreviews" ? AccessReviewStatus(user, spec) : RulesReviewStatus(user, spec);
        var reply = new JsonObject
        {
            ["kind"] = request.Resource.Kind,
            ["apiVersion"] = request.Resource.GroupVersion,
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec.DeepClone(),
            ["status"] = status,
        };
        await ResourceEndpoint.WriteJsonAsync(context, 201, reply).ConfigureAwait(false);
    }

    private JsonObject AccessReviewStatus(LabUser user, JsonObject spec)
    {
        static string Field(JsonNode? node, string name) => node?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty;
        var resource = spec["resourceAttributes"];
        var nonResource = spec["nonResourceAttributes"];
        if ((resource is null) == (nonResource is null))
        {
            throw new ApiError(422, "Invalid", "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }

        var attributes = resource is not null
            ? new RbacAttributes
            {
                IsResourceRequest = true,
                Verb = Field(resource, "verb"),
                Group = Field(resource, "group"),
                Version = Field(resource, "version"),
                Resource = Field(resource, "resource"),
                Subresource = Field(resource, "subresource"),
                Namespace = Field(resource, "namespace"),
                Name = Field(resource, "name"),
            }
            : new RbacAttributes { Verb = Field(nonResource, "verb"), Path = Field(nonResource, "path") };
        var decision = Options.EnforceRbac ? Rbac.Authorize(user, attributes) : new RbacDecision(true, string.Empty);
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Reason.Length > 0)
        {
            status["reason"] = decision.Reason;
        }

        return status;
    }

    private JsonObject RulesReviewStatus(LabUser user, JsonObject spec)
    {
        var ns = spec["namespace"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty;
        var rules = Options.EnforceRbac
            ? Rbac.RulesFor(user, ns)
            : [new RbacPolicyRule { Verbs = ["*"], ApiGroups = ["*"], Resources = ["*"] }, new RbacPolicyRule { Verbs = ["*"], NonResourceUrls = ["*"] }];
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var rule in rules)
        {
            var json = rule.ToJson();
            if (rule.NonResourceUrls.Count > 0)
            {
                nonResourceRules.Add(new JsonObject { ["verbs"] = json["verbs"]!.DeepClone(), ["nonResourceURLs"] = json["nonResourceURLs"]!.DeepClone() });
            }

            if (rule.Resources.Count > 0)
            {
                json.Remove("nonResourceURLs");
                resourceRules.Add(json);
            }
        }

        return new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = false };
    }
}
