using System.Collections.Concurrent;
using System.Globalization;
using MeshBridge.Grpc;
using MeshBridge.Protos.Istio;

namespace MeshBridge.Lab.IstioCa;

/// <summary>
/// What the CA does once the caller is known: the CSR and TTL rules of istiod (<c>security/pkg/pki/ca/ca.go</c>
/// <c>sign</c>) or of istio-csr (<c>pkg/server</c>), then the injected faults, then the leaf. Kept apart from the
/// HTTP/2 plumbing so the rules read in one place.
/// </summary>
internal sealed class CertificateIssuer(IstioCaOptions options, MeshRootAuthority root, MeshRootAuthority otherRoot, IstioCaFaults faults)
{
    private readonly ConcurrentDictionary<string, int> _issued = new(StringComparer.Ordinal);
    private volatile MeshRootAuthority _root = root;

    /// <summary>The root new leaves are signed with.</summary>
    public MeshRootAuthority Root
    {
        get => _root;
        set => _root = value;
    }

    public IReadOnlyDictionary<string, int> Issued => new Dictionary<string, int>(_issued, StringComparer.Ordinal);

    public int IssuedFor(string spiffeId) => _issued.TryGetValue(spiffeId, out var count) ? count : 0;

    /// <exception cref="IstioCaStatusException">The request is refused, with the real CA's status and message.</exception>
    public IstioCertificateResponse Issue(string identity, IstioCertificateRequest request)
    {
        var csr = SigningRequest.Parse(request.Csr);
        var validity = options.Mode == IstioCaMode.IstioCsr ? IstioCsrValidity(csr, identity, request) : IstiodValidity(request);

        var fault = faults.Current;
        if (fault.ShortLifetime is { } cap && cap < validity)
        {
            validity = cap;
        }

        var signer = fault.WrongRoot ? otherRoot : _root;
        var now = options.Time.GetUtcNow();

        // cert-manager's CA issuer starts a certificate now; istiod backdates for clock skew.
        var notBefore = options.Mode == IstioCaMode.IstioCsr ? now : now - MeshRootAuthority.ClockSkewGrace;
        using var leaf = signer.IssueLeaf(csr.PublicKey, fault.WrongIdentity ?? identity, notBefore, now + validity);
        _issued.AddOrUpdate(identity, 1, (_, count) => count + 1);
        return new IstioCertificateResponse { CertChain = { leaf.ExportCertificatePem() + "\n", signer.Pem } };
    }

    private TimeSpan IstiodValidity(IstioCertificateRequest request)
    {
        var requested = TimeSpan.FromSeconds(request.ValidityDuration);
        if (request.ValidityDuration <= 0)
        {
            return options.DefaultTtl;
        }

        var max = options.EffectiveMaxTtl;
        return requested > max
            ? throw new IstioCaStatusException(
                StatusCode.InvalidArgument,
                $"CSR signing error (requested TTL {GoDuration(requested)} is greater than the max allowed TTL {GoDuration(max)})")
            : requested;
    }

    private TimeSpan IstioCsrValidity(SigningRequest csr, string identity, IstioCertificateRequest request)
    {
        // auth.go logs the reason and tells the caller only that authentication failed.
        if (csr.IstioCsrRefusal(identity) is not null)
        {
            throw new IstioCaStatusException(StatusCode.Unauthenticated, LabIstioCa.AuthenticationFailure);
        }

        // A zero or negative duration reaches cert-manager, which refuses it; istio-csr reports any signing failure so.
        if (request.ValidityDuration <= 0)
        {
            throw new IstioCaStatusException(StatusCode.Internal, "failed to sign certificate request");
        }

        var requested = TimeSpan.FromSeconds(request.ValidityDuration);
        var max = options.EffectiveMaxTtl;
        return requested > max ? max : requested;
    }

    /// <summary>Go's <c>time.Duration.String</c> for whole seconds: <c>2160h0m0s</c>, <c>5m0s</c>, <c>30s</c>.</summary>
    internal static string GoDuration(TimeSpan value)
    {
        var total = (long)value.TotalSeconds;
        var hours = total / 3600;
        var minutes = total % 3600 / 60;
        var seconds = total % 60;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{minutes}m{seconds}s")
            : minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m{seconds}s") : string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
    }
}
