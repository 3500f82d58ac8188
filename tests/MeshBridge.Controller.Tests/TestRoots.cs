using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Controller.Tests;

/// <summary>Roots and workload leaves made by the test itself, shaped as istiod makes them (reference/istio.md §3).</summary>
internal static class TestRoots
{
    /// <summary>A self-signed root with its key, named like istiod's (O=&lt;trust domain&gt;), valid a year.</summary>
    public static X509Certificate2 Root(string organization)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"O={organization}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var root = request.CreateSelfSigned(now.AddHours(-1), now.AddYears(1));

        // A PKCS#12 round trip gives a key every platform can sign with later.
        return X509CertificateLoader.LoadPkcs12(root.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// A workload leaf signed by <paramref name="root"/> as istiod issues one: empty subject, <paramref name="spiffeId"/>
    /// as the only (critical) URI SAN, serverAuth+clientAuth, an hour. Returned as tls.crt and tls.key PEM.
    /// </summary>
    public static (string Crt, string Key) Leaf(X509Certificate2 root, string spiffeId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var leaf = request.Create(root, now.AddMinutes(-2), now.AddHours(1), serial);
        return (leaf.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
