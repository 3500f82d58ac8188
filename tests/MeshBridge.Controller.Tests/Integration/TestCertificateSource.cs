using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshBridge.Controller.Certificates;
using MeshBridge.Transform;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>
/// Issues a real certificate for each identity from a throwaway root (ECDSA P-256, SPIFFE URI SAN), as a mesh CA
/// would; <see cref="Rotate"/> issues new ones. The certificate sources themselves are tested on their own.
/// </summary>
internal sealed class TestCertificateSource : ICertificateSource
{
    private readonly Dictionary<MeshIdentity, IssuedCertificate> issued = [];
    private readonly X509Certificate2 root = TestRoots.Root("cluster.local");

    public int Requests { get; private set; }

    /// <summary>While set, every request fails with it (a CA outage).</summary>
    public Exception? Failure { get; set; }

    public List<MeshIdentity> Asked { get; } = [];

    public Task<IssuedCertificate?> GetAsync(MeshIdentity identity, CancellationToken cancellationToken)
    {
        lock (issued)
        {
            Asked.Add(identity);
            if (Failure is { } failure)
            {
                throw failure;
            }

            if (!issued.TryGetValue(identity, out var certificate))
            {
                issued[identity] = certificate = Issue(identity);
            }

            return Task.FromResult<IssuedCertificate?>(certificate);
        }
    }

    public void Rotate()
    {
        lock (issued)
        {
            foreach (var identity in issued.Keys.ToList())
            {
                issued[identity] = Issue(identity);
            }
        }
    }

    private IssuedCertificate Issue(MeshIdentity identity)
    {
        Requests++;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(string.Empty, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(identity.SpiffeId));
        request.CertificateExtensions.Add(san.Build(critical: true));
        var notAfter = DateTimeOffset.UtcNow.AddHours(12);
        using var leaf = request.Create(root, DateTimeOffset.UtcNow.AddMinutes(-1), notAfter, RandomNumberGenerator.GetBytes(16));
        return new IssuedCertificate(leaf.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), root.ExportCertificatePem(), notAfter);
    }
}
