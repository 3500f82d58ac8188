using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>A CA made in the test with CertificateRequest, issuing server and client certificates.</summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa key;

    public TestCertificateAuthority(string name)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        // The TLS stack checks validity against the real clock, so the certificates are valid now.
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    public static string Base64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));

    public X509Certificate2 IssueServer(string[] dnsNames, IPAddress[] addresses)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver", leafKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return Issue(request, leafKey);
    }

    /// <summary>A client certificate with an EC (P-256) or RSA key.</summary>
    public X509Certificate2 IssueClient(string commonName, bool rsa = false)
    {
        using AsymmetricAlgorithm leafKey = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = leafKey is RSA r
            ? new CertificateRequest($"CN={commonName}, O=system:masters", r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={commonName}, O=system:masters", (ECDsa)leafKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        return Issue(request, leafKey);
    }

    /// <summary>True when <paramref name="certificate"/> chains to this CA alone.</summary>
    public bool Issued(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }

    private X509Certificate2 Issue(CertificateRequest request, AsymmetricAlgorithm leafKey)
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

        // The generator overload lets an EC CA sign an RSA leaf.
        using var issued = request.Create(
            Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(key), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        return leafKey switch
        {
            RSA rsa => issued.CopyWithPrivateKey(rsa),
            ECDsa ec => issued.CopyWithPrivateKey(ec),
            _ => throw new ArgumentException("unsupported key", nameof(leafKey)),
        };
    }
}
