using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MeshBridge.Certificates;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>Reads the leaf of an egress-mtls <c>.tls</c> Secret: URI SAN identity, validity, and when it is renewed.</summary>
internal static class CertificateInspector
{
    /// <summary>MeshBridge, like istio-agent, renews at half the lifetime (DESIGN.md §3).</summary>
    public const double RotationRatio = 0.5;

    /// <summary>The report for the Secret, and why the leaf could not be read (null when it could or the Secret is missing).</summary>
    public static (CertificateReport Report, string? Problem) Inspect(string secretKey, GenericObject? secret, DateTimeOffset now)
    {
        if (secret is null)
        {
            return (new CertificateReport { Secret = secretKey }, null);
        }

        if (secret.Extra?.GetValueOrDefault("data") is not { ValueKind: JsonValueKind.Object } data ||
            !data.TryGetProperty("tls.crt", out var crt) || crt.GetString() is not { Length: > 0 } encoded)
        {
            return (new CertificateReport { Secret = secretKey, Found = true }, "the Secret has no data[\"tls.crt\"]");
        }

        try
        {
            var pem = Encoding.ASCII.GetString(Convert.FromBase64String(encoded));
            using var leaf = X509Certificate2.CreateFromPem(pem);
            var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
            var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            var uris = SubjectAlternativeNames.Uris(leaf);
            return (new CertificateReport
            {
                Secret = secretKey,
                Found = true,
                Identity = uris.Count > 0 ? string.Join(", ", uris) : null,
                NotBefore = notBefore,
                NotAfter = notAfter,
                NextRotation = notBefore + ((notAfter - notBefore) * RotationRatio),
                Expired = notAfter <= now,
            }, null);
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            return (new CertificateReport { Secret = secretKey, Found = true }, $"data[\"tls.crt\"] is not a PEM certificate: {e.Message}");
        }
    }
}
