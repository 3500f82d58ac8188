using System.Security.Cryptography;
using System.Text;
using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>
/// The MeshBridge EgressMTLS Policy and the names of its two Secrets, one set per NIC identity per namespace
/// (DESIGN.md §2–3). Names: Policy <c>meshbridge-mtls.&lt;nic-ns&gt;.&lt;nic-sa&gt;</c>, Secrets with the suffixes
/// <c>.tls</c> (<c>kubernetes.io/tls</c>) and <c>.ca</c> (<c>nginx.org/ca</c>). A namespace name has no dots, so the
/// name is unambiguous; names longer than 59 characters are shortened with a hash so every name fits 63.
/// </summary>
public static class EgressMtlsPolicyBuilder
{
    public const string NamePrefix = "meshbridge-mtls";
    public const string TlsSecretSuffix = ".tls";
    public const string CaSecretSuffix = ".ca";

    /// <summary>NGINX defaults to TLSv1–1.2 for upstream TLS; Istio's inbound accepts TLS 1.2–1.3.</summary>
    public const string Protocols = "TLSv1.2 TLSv1.3";

    private const int MaxBaseLength = 59;

    public static string PolicyName(NicIdentity identity)
    {
        var name = $"{NamePrefix}.{identity.Namespace}.{identity.ServiceAccount}";
        if (name.Length <= MaxBaseLength)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..10];
        return $"{name[..(MaxBaseLength - hash.Length - 1)].TrimEnd('.', '-')}-{hash}";
    }

    public static string TlsSecretName(NicIdentity identity) => PolicyName(identity) + TlsSecretSuffix;

    public static string CaSecretName(NicIdentity identity) => PolicyName(identity) + CaSecretSuffix;

    /// <summary>The Policy a MeshBridge Secret belongs to: its name without <c>.tls</c> or <c>.ca</c>; null for another name.</summary>
    public static string? PolicyNameOfSecret(string? secretName) =>
        secretName is null ? null
        : secretName.EndsWith(TlsSecretSuffix, StringComparison.Ordinal) ? secretName[..^TlsSecretSuffix.Length]
        : secretName.EndsWith(CaSecretSuffix, StringComparison.Ordinal) ? secretName[..^CaSecretSuffix.Length]
        : null;

    public static bool IsManaged(Policy policy) =>
        policy.Metadata.Labels?.GetValueOrDefault(MeshAnnotations.ManagedByLabel) == MeshAnnotations.ManagedByValue &&
        policy.Metadata.Name?.StartsWith(NamePrefix, StringComparison.Ordinal) == true;

    /// <summary>
    /// The desired Policy. <c>verifyServer</c> stays false: NGINX checks a server's name only against DNS SANs and
    /// Istio workload certificates carry only a URI SAN (reference/nic.md §4). <paramref name="existing"/> keeps
    /// whatever metadata a live object has (resourceVersion, uid, user labels).
    /// </summary>
    public static Policy Build(NicIdentity identity, string? metadataNamespace, Policy? existing = null)
    {
        var metadata = existing?.Metadata ?? new V1ObjectMeta { Name = PolicyName(identity), NamespaceProperty = metadataNamespace };
        metadata = metadata with
        {
            Labels = MetadataEdits.With(metadata.Labels, MeshAnnotations.ManagedByLabel, MeshAnnotations.ManagedByValue),
            Annotations = MetadataEdits.With(metadata.Annotations, MeshAnnotations.IdentityAnnotation, identity.ToString()),
        };
        var spec = (existing?.Spec ?? new PolicySpec()) with
        {
            EgressMtls = new EgressMtls
            {
                TlsSecret = TlsSecretName(identity),
                TrustedCertSecret = CaSecretName(identity),
                VerifyServer = false,
                Protocols = Protocols,
            },
        };
        return (existing ?? new Policy()) with { Metadata = metadata, Spec = spec };
    }
}
