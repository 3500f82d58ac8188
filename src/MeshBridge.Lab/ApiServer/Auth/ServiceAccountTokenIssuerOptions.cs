using System.Security.Cryptography;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>How a <see cref="ServiceAccountTokenIssuer"/> signs, as kube-apiserver's flags configure it.</summary>
public sealed record ServiceAccountTokenIssuerOptions
{
    /// <summary>kube-apiserver's <c>--service-account-issuer</c> on kubeadm and kind clusters.</summary>
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    /// <summary>The <c>iss</c> claim, and the only issuer whose tokens <c>Review</c> considers.</summary>
    public string Issuer { get; init; } = DefaultIssuer;

    /// <summary>
    /// <c>--api-audiences</c>: given to tokens requested without audiences, and checked when a review names none.
    /// kube-apiserver defaults it to the issuer.
    /// </summary>
    public IReadOnlyList<string> Audiences { get; init; } = [DefaultIssuer];

    /// <summary>The signing key; null makes the issuer generate and own an RSA-2048 key.</summary>
    public RSA? SigningKey { get; init; }

    /// <summary>The <c>jti</c> source; claims.go uses a random UUID. Injected so tests can pin it.</summary>
    public Func<Guid> NewTokenId { get; init; } = Guid.NewGuid;
}
