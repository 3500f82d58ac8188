using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Certificates.Tests.Support;

/// <summary>
/// A .NET-made CA for the cases OpenSSL's CLI makes awkward (wrong roots, two SANs, expired leaves). Like istiod it
/// certifies a given public key with an empty subject and a critical URI SAN, and takes only the key from the CSR.
/// </summary>
internal sealed class TestCa : IDisposable
{
    private static readonly DateTimeOffset DefaultNotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset DefaultNotAfter = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _key;

    private TestCa(ECDsa key, X509Certificate2 certificate)
    {
        _key = key;
        Certificate = certificate;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public string Pem => Certificate.ExportCertificatePem() + "\n";

    public static TestCa Root(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(name, key);
        return new TestCa(key, request.CreateSelfSigned(DefaultNotBefore, DefaultNotAfter));
    }

    public TestCa Intermediate(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(name, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        using var issued = request.Create(Certificate, DefaultNotBefore, DefaultNotAfter, Serial());
        return new TestCa(key, issued.CopyWithPrivateKey(key));
    }

    /// <summary>Certifies <paramref name="subjectPublicKeyInfo"/> for <paramref name="uris"/>, as PEM.</summary>
    public string IssuePem(byte[] subjectPublicKeyInfo, IEnumerable<string> uris, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        var request = new CertificateRequest(new X500DistinguishedName(""), publicKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var uri in uris)
        {
            san.AddUri(new Uri(uri));
        }

        request.CertificateExtensions.Add(san.Build(critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        using var leaf = request.Create(
            Certificate,
            notBefore ?? new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.Zero),
            notAfter ?? new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero),
            Serial());
        return leaf.ExportCertificatePem() + "\n";
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    private static CertificateRequest CaRequest(string name, ECDsa key)
    {
        var request = new CertificateRequest($"O={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }
}
