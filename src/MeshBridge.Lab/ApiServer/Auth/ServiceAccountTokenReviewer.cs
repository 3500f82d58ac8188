using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// TokenReview for the tokens one <see cref="ServiceAccountTokenIssuer"/> signs, step for step as kube-apiserver 1.33
/// authenticates them: k8s pkg/serviceaccount/jwt.go (issuer, key, signature, audiences), then claims.go's validator
/// (times, service account, bound object), then the UserInfo of apiserver/pkg/authentication/serviceaccount/util.go.
/// </summary>
internal sealed class ServiceAccountTokenReviewer(RSA key, string keyId, string issuer, IReadOnlyList<string> apiAudiences, TimeProvider time)
{
    /// <summary>
    /// genericapiserver's AuthorizeClientBearerToken puts a loopback-token authenticator in front of the configured
    /// chain, and the union aggregates both answers: a failing service account token reads
    /// <c>[invalid bearer token, &lt;cause&gt;]</c>, and one no authenticator claims reads <c>invalid bearer token</c>
    /// (twice, which utilerrors' aggregate prints once).
    /// </summary>
    public const string InvalidBearerToken = "invalid bearer token";

    /// <summary>go-jose's ErrCryptoFailure; 1.33 vendors gopkg.in/go-jose/go-jose.v2, whose errors carry this prefix.</summary>
    public const string CryptoFailure = "go-jose/go-jose: error in cryptographic primitive";

    /// <summary>jwt.DefaultLeeway, which claims.go's <c>public.Validate</c> applies to exp, nbf and iat.</summary>
    private static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    public V1TokenReview Review(
        string token,
        IReadOnlyList<string> requested,
        Func<(string Namespace, string Name), string?> serviceAccountUid,
        Func<(string Kind, string Namespace, string Name), string?>? boundObjectUid)
    {
        // tokenreview/storage.go: a review naming no audiences is checked against the API server's own.
        var audiences = requested.Count == 0 ? apiAudiences : requested;
        return new V1TokenReview
        {
            Spec = new V1TokenReviewSpec { Token = token, Audiences = requested.Count == 0 ? null : [.. requested] },
            Status = Authenticate(token, audiences, serviceAccountUid, boundObjectUid),
        };
    }

    private V1TokenReviewStatus Authenticate(
        string token,
        IReadOnlyList<string> requested,
        Func<(string Namespace, string Name), string?> serviceAccountUid,
        Func<(string Kind, string Namespace, string Name), string?>? boundObjectUid)
    {
        // hasCorrectIssuer and jwt.ParseSigned: a token that is not ours is no error of this authenticator.
        if (token.TrimStart().StartsWith('{')
            || !CompactJws.TryParse(token, out var parts)
            || ServiceAccountClaims.UnverifiedIssuer(parts.Payload) != issuer
            || !TryReadHeader(parts.Header, out var header))
        {
            return new V1TokenReviewStatus { Error = InvalidBearerToken };
        }

        var failure = CheckSignature(header, parts);
        if (failure is null && ServiceAccountClaims.TryParse(parts.Payload) is { } claims)
        {
            var tokenAudiences = claims.Audience.Count == 0 ? apiAudiences : claims.Audience;
            var granted = requested.Where(tokenAudiences.Contains).ToList();
            failure = granted.Count == 0 && apiAudiences.Count != 0
                ? $"token audiences {GoQuote(tokenAudiences)} is invalid for the target audiences {GoQuote(requested)}"
                : CheckTimes(claims) ?? CheckObjects(claims, serviceAccountUid, boundObjectUid);
            if (failure is null)
            {
                // An empty intersection passes only when the API server has no audiences; Go then omits the field.
                return new V1TokenReviewStatus { Authenticated = true, User = UserInfo(claims), Audiences = granted.Count == 0 ? null : granted };
            }
        }

        // A payload that passes our signature but is not claims JSON could only come from our own key.
        return new V1TokenReviewStatus { Error = failure is null ? InvalidBearerToken : $"[{InvalidBearerToken}, {failure}]" };
    }

    private string? CheckSignature(Header header, CompactJws.Parts parts)
    {
        // jwt.go asks the key getter for the header's kid; a kid naming no key of ours finds nothing to try.
        if (header.KeyId.Length > 0 && header.KeyId != keyId)
        {
            return "invalid signature, no keys found";
        }

        // go-jose refuses any critical header extension it does not implement, and reports it as a crypto failure.
        return header.HasCritical || !CompactJws.Verify(key, header.Algorithm, parts) ? CryptoFailure : null;
    }

    /// <summary>go-jose Claims.ValidateWithLeeway, in its order, worded as claims.go rewords it.</summary>
    private string? CheckTimes(ServiceAccountClaims claims)
    {
        var now = time.GetUtcNow();
        if (claims.NotBefore is { } nbf && now + Leeway < DateTimeOffset.FromUnixTimeSeconds(nbf))
        {
            return "service account token is not valid yet";
        }

        if (claims.Expiry is { } exp && now - Leeway > DateTimeOffset.FromUnixTimeSeconds(exp))
        {
            return "service account token has expired";
        }

        return claims.IssuedAt is { } iat && now + Leeway < DateTimeOffset.FromUnixTimeSeconds(iat)
            ? "service account token is issued in the future"
            : null;
    }

    /// <summary>claims.go's lookups: the service account by name and uid, then a bound Secret, Pod or (alone) Node.</summary>
    private static string? CheckObjects(
        ServiceAccountClaims claims,
        Func<(string Namespace, string Name), string?> serviceAccountUid,
        Func<(string Kind, string Namespace, string Name), string?>? boundObjectUid)
    {
        var ns = claims.Namespace ?? "";
        var sa = claims.ServiceAccount;
        var currentUid = serviceAccountUid((ns, sa.Name ?? ""));
        if (currentUid is null)
        {
            // The getter's NotFound error, passed through unchanged.
            return $"serviceaccounts \"{sa.Name}\" not found";
        }

        if (currentUid != (sa.Uid ?? ""))
        {
            return $"service account UID ({currentUid}) does not match claim ({sa.Uid})";
        }

        return CheckBound("Secret", "secret", ns, claims.Secret, boundObjectUid)
            ?? CheckBound("Pod", "pod", ns, claims.Pod, boundObjectUid)
            ?? (claims.Pod is null ? CheckBound("Node", "node", "", claims.Node, boundObjectUid) : null);
    }

    private static string? CheckBound(
        string kind,
        string word,
        string ns,
        ServiceAccountClaims.Ref? reference,
        Func<(string Kind, string Namespace, string Name), string?>? boundObjectUid)
    {
        if (reference is not { } r || boundObjectUid is null)
        {
            return null;
        }

        var currentUid = boundObjectUid((kind, ns, r.Name ?? ""));
        if (currentUid is null)
        {
            return "service account token has been invalidated";
        }

        return currentUid != (r.Uid ?? "")
            ? $"{word} UID ({currentUid}) does not match service account {word} ref claim ({r.Uid})"
            : null;
    }

    /// <summary>ServiceAccountInfo.UserInfo plus the group the authenticated-group adder appends.</summary>
    private static V1UserInfo UserInfo(ServiceAccountClaims claims)
    {
        var ns = claims.Namespace ?? "";
        var extra = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (claims.Pod is { Name.Length: > 0, Uid.Length: > 0 } pod)
        {
            extra["authentication.kubernetes.io/pod-name"] = [pod.Name];
            extra["authentication.kubernetes.io/pod-uid"] = [pod.Uid];
        }

        if (!string.IsNullOrEmpty(claims.Id))
        {
            extra["authentication.kubernetes.io/credential-id"] = [$"JTI={claims.Id}"];
        }

        if (claims.Node is { Name.Length: > 0 } node)
        {
            extra["authentication.kubernetes.io/node-name"] = [node.Name];
            if (!string.IsNullOrEmpty(node.Uid))
            {
                extra["authentication.kubernetes.io/node-uid"] = [node.Uid];
            }
        }

        return new V1UserInfo
        {
            Username = $"system:serviceaccount:{ns}:{claims.ServiceAccount.Name}",
            Uid = claims.ServiceAccount.Uid,
            Groups = ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"],
            Extra = extra.Count == 0 ? null : extra,
        };
    }

    private static bool TryReadHeader(byte[] json, out Header header)
    {
        header = default;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            header = new Header(Text("alg"), Text("kid") ?? "", root.TryGetProperty("crit", out _));
            return root.ValueKind == JsonValueKind.Object;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Go's <c>%q</c> of a string slice: <c>["a" "b"]</c>.</summary>
    private static string GoQuote(IEnumerable<string> values)
    {
        var text = new StringBuilder("[");
        foreach (var value in values)
        {
            if (text.Length > 1)
            {
                text.Append(' ');
            }

            text.Append('"').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }

        return text.Append(']').ToString();
    }

    private readonly record struct Header(string? Algorithm, string KeyId, bool HasCritical);
}
