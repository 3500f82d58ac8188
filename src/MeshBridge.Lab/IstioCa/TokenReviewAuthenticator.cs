using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;

namespace MeshBridge.Lab.IstioCa;

/// <summary>
/// istiod's <c>KubeJWTAuthenticator</c> (reference/istio.md §2): the bearer token is sent to the API server in a
/// TokenReview with <c>spec.audiences</c> = <c>TOKEN_AUDIENCES</c>, and only an authenticated service account in group
/// <c>system:serviceaccounts</c> passes. Going through a real TokenReview (not a signature check of our own) is what
/// makes a wrong audience, an expired token or a deleted service account fail here exactly as on a cluster.
/// </summary>
/// <param name="client">A client allowed to create TokenReviews; the caller keeps ownership.</param>
/// <param name="audiences">The audiences to review the token for.</param>
public sealed class TokenReviewAuthenticator(Kubernetes.Client.Kubernetes client, IReadOnlyList<string> audiences)
{
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>
    /// Reviews <paramref name="token"/> and returns the service account it authenticates, or null when the API
    /// server does not authenticate it (any reason: the caller only ever learns "request authenticate failure").
    /// </summary>
    public async Task<(string Namespace, string ServiceAccount)?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        var review = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenReview",
            ["spec"] = new JsonObject { ["token"] = token, ["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode)JsonValue.Create(a)!)]) },
        };
        JsonObject answer;
        try
        {
            answer = await client.CreateAsync(ResourceTypes.TokenReviews, null, review, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesException)
        {
            return null;
        }

        var status = answer["status"];
        if (status?["authenticated"]?.GetValue<bool>() != true)
        {
            return null;
        }

        var groups = (status["user"]?["groups"] as JsonArray)?.Select(g => g?.GetValue<string>()).ToList() ?? [];
        var username = status["user"]?["username"]?.GetValue<string>() ?? string.Empty;
        if (!groups.Contains("system:serviceaccounts") || !username.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        // security.go's ParseJwtClaims equivalent: exactly namespace and name after the prefix.
        var parts = username[ServiceAccountPrefix.Length..].Split(':');
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? (parts[0], parts[1]) : null;
    }
}
