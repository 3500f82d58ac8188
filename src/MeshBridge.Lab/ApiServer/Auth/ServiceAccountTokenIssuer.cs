using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// kube-apiserver's service account token issuer and authenticator: signs bound tokens for TokenRequest
/// (k8s pkg/registry/core/serviceaccount/storage/token.go, pkg/serviceaccount/claims.go, jwt.go) and checks them for
/// TokenReview, which is how Istio's CA authenticates callers (audience <c>istio-ca</c>).
/// </summary>
public sealed class ServiceAccountTokenIssuer : IDisposable
{
    public const long DefaultExpirationSeconds = 3600;

    /// <summary>pkg/apis/authentication/validation: a token lives at least 10 minutes and at most 2^32 seconds.</summary>
    public const long MinExpirationSeconds = 10 * 60;

    public const long MaxExpirationSeconds = 1L << 32;

    private const string Group = "authentication.k8s.io";
    private const string Kind = "TokenRequest";

    private readonly TimeProvider _time;
    private readonly RSA _key;
    private readonly bool _ownsKey;
    private readonly Func<Guid> _newTokenId;
    private readonly byte[] _header;
    private readonly ServiceAccountTokenReviewer _reviewer;

    public ServiceAccountTokenIssuer(TimeProvider timeProvider, ServiceAccountTokenIssuerOptions? options = null)
    {
        options ??= new ServiceAccountTokenIssuerOptions();
        _time = timeProvider;
        _ownsKey = options.SigningKey is null;
        _key = options.SigningKey ?? RSA.Create(2048);
        _newTokenId = options.NewTokenId;
        Issuer = options.Issuer;
        Audiences = [.. options.Audiences];
        KeyId = KeyIdOf(_key);
        _header = Encoding.UTF8.GetBytes($$"""{"alg":"RS256","kid":"{{KeyId}}"}""");
        _reviewer = new ServiceAccountTokenReviewer(_key, KeyId, Issuer, Audiences, timeProvider);
    }

    public string Issuer { get; }

    public IReadOnlyList<string> Audiences { get; }

    /// <summary>
    /// The JWT <c>kid</c>: unpadded base64url of SHA-256 over the DER SubjectPublicKeyInfo (jwt.go keyIDFromPublicKey),
    /// so relying parties can pick the key without the ID revealing it.
    /// </summary>
    public string KeyId { get; }

    /// <summary>The verification key as a <c>PUBLIC KEY</c> PEM, what <c>--service-account-key-file</c> would hold.</summary>
    public string ExportPublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>
    /// Answers a TokenRequest for <paramref name="serviceAccount"/>: fills the defaults, validates, and signs. The bound
    /// object is trusted as given (the lab has no store to look it up in); its uid goes into the token verbatim.
    /// </summary>
    public TokenIssueResult Issue(ServiceAccountReference serviceAccount, V1TokenRequestSpec spec)
    {
        var now = _time.GetUtcNow();
        var defaulted = spec with
        {
            Audiences = spec.Audiences.Count == 0 ? Audiences : spec.Audiences,
            ExpirationSeconds = spec.ExpirationSeconds ?? DefaultExpirationSeconds,
        };
        var expirationSeconds = defaulted.ExpirationSeconds!.Value;
        var result = new TokenIssueResult { Spec = defaulted, CreationTimestamp = now };

        var errors = Validate(expirationSeconds);
        if (errors.Count > 0)
        {
            return result with { Errors = [.. errors.Select(e => e.ToString())], Failure = Invalid(errors) };
        }

        if (defaulted.BoundObjectRef is { } bound && !IsBindable(bound, out var badType))
        {
            return result with { Failure = BadRequest($"cannot bind token to object of type {badType}") };
        }

        var claims = Claims(serviceAccount, defaulted, now.ToUnixTimeSeconds());
        return result with
        {
            Token = CompactJws.Sign(_key, _header, claims.ToUtf8Json()),
            ExpirationTimestamp = now.AddSeconds(expirationSeconds),
        };
    }

    /// <summary>
    /// Answers a TokenReview of <paramref name="token"/> for <paramref name="audiences"/> (none: this issuer's
    /// audiences). <paramref name="serviceAccountUid"/> returns the current uid of a service account, null once it is
    /// gone; <paramref name="boundObjectUid"/> does the same for a token's Pod, Secret or Node and, when omitted, bound
    /// objects are taken to still exist. An empty token throws: the real endpoint answers it with 400
    /// <c>token is required for TokenReview in authentication</c> before any review.
    /// </summary>
    public V1TokenReview Review(
        string token,
        IReadOnlyList<string> audiences,
        Func<(string Namespace, string Name), string?> serviceAccountUid,
        Func<(string Kind, string Namespace, string Name), string?>? boundObjectUid = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return _reviewer.Review(token, audiences, serviceAccountUid, boundObjectUid);
    }

    public void Dispose()
    {
        if (_ownsKey)
        {
            _key.Dispose();
        }
    }

    internal static string KeyIdOf(RSA key) => Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private ServiceAccountClaims Claims(ServiceAccountReference sa, V1TokenRequestSpec spec, long issuedAt)
    {
        var bound = spec.BoundObjectRef;
        ServiceAccountClaims.Ref? Bound(string kind) =>
            bound?.Kind == kind ? new ServiceAccountClaims.Ref(bound.Name, bound.Uid) : null;

        // A pod-bound token also names the pod's node when the API server can see it (ServiceAccountTokenPodNodeInfo);
        // the lab does not know pods' nodes, so only a Node binding yields the node claim.
        return new ServiceAccountClaims
        {
            Issuer = Issuer,
            Subject = sa.Username,
            Audience = spec.Audiences,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expiry = issuedAt + spec.ExpirationSeconds!.Value,
            Id = _newTokenId().ToString("D", CultureInfo.InvariantCulture),
            Namespace = sa.Namespace,
            ServiceAccount = new ServiceAccountClaims.Ref(sa.Name, sa.Uid),
            Pod = Bound("Pod"),
            Secret = Bound("Secret"),
            Node = Bound("Node"),
        };
    }

    /// <summary>ValidateTokenRequest (pkg/apis/authentication/validation/validation.go), run after defaulting.</summary>
    private static List<FieldError> Validate(long expirationSeconds)
    {
        const string field = "spec.expirationSeconds";
        var errors = new List<FieldError>();
        if (expirationSeconds < MinExpirationSeconds)
        {
            errors.Add(new(field, $"Invalid value: {expirationSeconds}: may not specify a duration less than 10 minutes"));
        }

        if (expirationSeconds > MaxExpirationSeconds)
        {
            errors.Add(new(field, $"Invalid value: {expirationSeconds}: may not specify a duration larger than 2^32 seconds"));
        }

        return errors;
    }

    /// <summary>token.go binds only core Pods, Nodes and Secrets; anything else is named as Go prints a GVK.</summary>
    private static bool IsBindable(V1BoundObjectReference bound, out string groupVersionKind)
    {
        var apiVersion = bound.ApiVersion ?? "";
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        if (version.Contains('/', StringComparison.Ordinal))
        {
            // schema.FromAPIVersionAndKind drops an unparsable group-version and keeps only the kind.
            (group, version) = ("", "");
        }

        groupVersionKind = $"{group}/{version}, Kind={bound.Kind}";
        return group.Length == 0 && bound.Kind is "Pod" or "Secret" or "Node";
    }

    /// <summary>errors.NewInvalid(TokenRequest, "", errs): the name is empty because token.go passes "".</summary>
    private static V1Status Invalid(List<FieldError> errors)
    {
        var aggregate = errors.Count == 1 ? errors[0].ToString() : $"[{string.Join(", ", errors)}]";
        return new V1Status
        {
            Metadata = EmptyObject(),
            Status = "Failure",
            Message = $"{Kind}.{Group} \"\" is invalid: {aggregate}",
            Reason = "Invalid",
            Details = new V1StatusDetails
            {
                Group = Group,
                Kind = Kind,
                Causes = [.. errors.Select(e => new V1StatusCause { Reason = "FieldValueInvalid", Message = e.Body, Field = e.Field })],
            },
            Code = 422,
        };
    }

    private static V1Status BadRequest(string message) => new()
    {
        Metadata = EmptyObject(),
        Status = "Failure",
        Message = message,
        Reason = "BadRequest",
        Code = 400,
    };

    /// <summary>apimachinery field.Error: <c>Error()</c> is the field, then the body a Status cause carries.</summary>
    private readonly record struct FieldError(string Field, string Body)
    {
        public override string ToString() => $"{Field}: {Body}";
    }

    private static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }
}
