using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Certificates;

/// <summary>
/// A fresh ECDSA P-256 key and the PEM CSR for one SPIFFE identity, shaped to pass both Istio CAs: istiod uses only
/// the CSR's public key and signature, while cert-manager istio-csr rejects any CSR whose URI SANs differ from the
/// caller's identity, that has a Subject CN or DNS/IP/email SANs, or that carries any extension besides SAN, KeyUsage
/// and ExtKeyUsage (reference/istio.md §2, §9). Hence: empty subject, exactly one URI SAN, and nothing else unless
/// usages are asked for. The key never leaves this object except through <see cref="ExportPrivateKeyPem"/>.
/// </summary>
public sealed class CertificateSigningRequest : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly ECDsa _key;

    private CertificateSigningRequest(ECDsa key, string spiffeId, string pem)
    {
        _key = key;
        SpiffeId = spiffeId;
        Pem = pem;
    }

    /// <summary>The identity the CSR asks for, e.g. <c>spiffe://cluster.local/ns/nginx/sa/nginx-ingress</c>.</summary>
    public string SpiffeId { get; }

    /// <summary>The PEM CSR (<c>-----BEGIN CERTIFICATE REQUEST-----</c>), the <c>csr</c> field of the CA request.</summary>
    public string Pem { get; }

    /// <summary>
    /// Creates a new key and its CSR. With <paramref name="requestUsages"/> the CSR also asks for KeyUsage
    /// digitalSignature|keyEncipherment and ExtKeyUsage serverAuth+clientAuth, the most istio-csr accepts; without, it
    /// asks for nothing the CA would not set anyway (istiod sets those usages on every leaf).
    /// </summary>
    /// <exception cref="ArgumentException">The identity is not an absolute <c>spiffe://</c> URI in canonical form.</exception>
    public static CertificateSigningRequest Create(string spiffeId, bool requestUsages = false)
    {
        var uri = ParseSpiffeId(spiffeId);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            // An empty X500DistinguishedName encodes as an empty SEQUENCE: the subject istio-csr requires.
            var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(uri);

            // RFC 5280 §4.2.1.6: with an empty subject the SAN extension must be critical (istiod marks it so too).
            request.CertificateExtensions.Add(san.Build(critical: true));
            if (requestUsages)
            {
                request.CertificateExtensions.Add(
                    new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], critical: false));
            }

            return new CertificateSigningRequest(key, spiffeId, request.CreateSigningRequestPem());
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The private key as PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>), for <c>tls.key</c>.</summary>
    public string ExportPrivateKeyPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The public key as DER SubjectPublicKeyInfo, to compare with the issued leaf's.</summary>
    public byte[] ExportSubjectPublicKeyInfo() => _key.ExportSubjectPublicKeyInfo();

    public void Dispose() => _key.Dispose();

    public override string ToString() => $"CertificateSigningRequest {{ SpiffeId = {SpiffeId}, Key = ECDSA P-256 <redacted> }}";

    private static Uri ParseSpiffeId(string spiffeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(spiffeId);
        if (!Uri.TryCreate(spiffeId, UriKind.Absolute, out var uri) || uri.Scheme != "spiffe" || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"'{spiffeId}' is not a SPIFFE ID (spiffe://<trust-domain>/ns/<ns>/sa/<sa>)", nameof(spiffeId));
        }

        // The SAN is written from Uri.AbsoluteUri; if that differs (case, escaping), istio-csr would see another
        // identity than the caller's and refuse the CSR, so such an ID is refused here, where the cause is plain.
        if (uri.AbsoluteUri != spiffeId)
        {
            throw new ArgumentException(
                $"'{spiffeId}' is not in canonical form (it would be written as '{uri.AbsoluteUri}')", nameof(spiffeId));
        }

        return uri;
    }
}
