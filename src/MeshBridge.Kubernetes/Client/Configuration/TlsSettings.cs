using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>How the API server is verified, copied from a configuration when its handler is built.</summary>
/// <param name="CertificateAuthorities">The only trust anchors when set; the system store otherwise.</param>
/// <param name="SkipVerify">Accept any server certificate (kubeconfig insecure-skip-tls-verify).</param>
/// <param name="ServerName">SNI and the name checked against the server certificate, instead of the URL host.</param>
internal sealed record TlsSettings(X509Certificate2Collection? CertificateAuthorities, bool SkipVerify, string? ServerName);
