using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Controller.Tests.Certificates;

/// <summary>Throwaway mesh roots for tests: self-signed ECDSA P-256 CAs valid from an hour ago for a day.</summary>
internal static class TestRoots
{
    /// <summary>A root whose certificate carries its key (for <see cref="CertificateRequest.Create(X509Certificate2, DateTimeOffset, DateTimeOffset, byte[])"/>).</summary>
    public static X509Certificate2 Create(string organization)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"O={organization}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
