using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Lab.IstioCa;

/// <summary>
/// A root CA with its key: istiod's self-signed root (generated when no <c>cacerts</c> is plugged in) or a given one.
/// It signs the CA's own serving certificate and the workload leaves, which is what lets a client trust the server
/// and verify the leaves with the single <c>root-cert.pem</c> of the <c>istio-ca-root-cert</c> ConfigMap.
/// </summary>
internal sealed class MeshRootAuthority : IDisposable
{
    /// <summary>istiod's <c>ClockSkewGracePeriod</c>: leaves start two minutes in the past.</summary>
    public static readonly TimeSpan ClockSkewGrace = TimeSpan.FromMinutes(2);

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly bool _owned;

    private MeshRootAuthority(X509Certificate2 certificate, bool owned)
    {
        Certificate = certificate;
        _owned = owned;
    }

    /// <summary>The root with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public string Pem => Certificate.ExportCertificatePem() + "\n";

    /// <summary>A self-signed root like istiod's (O=&lt;trustDomain&gt;, 10 years), dated by <paramref name="time"/>.</summary>
    public static MeshRootAuthority Generate(string organization, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"O={organization}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = Truncate(time.GetUtcNow());
        return new MeshRootAuthority(request.CreateSelfSigned(now.AddHours(-1), now.AddYears(10)), owned: true);
    }

    /// <summary>Wraps a given root; it must hold its private key. The caller keeps ownership.</summary>
    public static MeshRootAuthority Use(X509Certificate2 root) =>
        root.HasPrivateKey ? new MeshRootAuthority(root, owned: false) : throw new ArgumentException("the root must carry its private key", nameof(root));

    /// <summary>
    /// The TLS serving certificate with its key, named as istiod's (<c>getDNSNames</c>): <c>istiod.&lt;ns&gt;.svc</c>
    /// and its aliases, plus <c>istiod-&lt;rev&gt;.&lt;ns&gt;.svc</c> for a revision. No <c>.svc.cluster.local</c> form.
    /// </summary>
    public X509Certificate2 IssueServing(IEnumerable<string> dnsNames, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        var now = time.GetUtcNow();
        using var signed = Sign(request, now - ClockSkewGrace, now.AddDays(30));
        using var withKey = signed.CopyWithPrivateKey(key);

        // A PKCS#12 round trip gives SslStream a key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// A workload leaf as istiod's <c>genCertTemplateFromCSR</c> makes it: empty subject, the identity as the only,
    /// critical URI SAN, digitalSignature|keyEncipherment, serverAuth+clientAuth, for the CSR's public key.
    /// </summary>
    public X509Certificate2 IssueLeaf(PublicKey publicKey, string spiffeId, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(new X500DistinguishedName(""), publicKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        return Sign(request, notBefore, notAfter);
    }

    /// <summary>The latest a leaf may end: the root's own NotAfter (istiod clamps to the signing cert, #59766).</summary>
    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    public void Dispose()
    {
        if (_owned)
        {
            Certificate.Dispose();
        }
    }

    private X509Certificate2 Sign(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any())
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        }

        // CertificateRequest.Create refuses dates outside the issuer's, which are whole seconds.
        var rootNotBefore = new DateTimeOffset(Certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var start = Truncate(notBefore < rootNotBefore ? rootNotBefore : notBefore);
        var end = Truncate(notAfter > NotAfter ? NotAfter : notAfter);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return request.Create(Certificate, start, end, serial);
    }

    private static DateTimeOffset Truncate(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
