using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>What an exec plugin answered: a token, a client certificate with its key, or both; and until when.</summary>
internal sealed record ExecCredentialResult(string? Token, X509Certificate2? Certificate, DateTimeOffset? Expiry);
