using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>NIC's EgressMTLS policy (reference/nic.md §2).</summary>
public sealed record EgressMtls
{
    [JsonPropertyName("tlsSecret")]
    public string? TlsSecret { get; init; }

    [JsonPropertyName("trustedCertSecret")]
    public string? TrustedCertSecret { get; init; }

    [JsonPropertyName("verifyServer")]
    public bool? VerifyServer { get; init; }

    [JsonPropertyName("verifyDepth")]
    public int? VerifyDepth { get; init; }

    [JsonPropertyName("protocols")]
    public string? Protocols { get; init; }

    [JsonPropertyName("ciphers")]
    public string? Ciphers { get; init; }

    [JsonPropertyName("sessionReuse")]
    public bool? SessionReuse { get; init; }

    [JsonPropertyName("serverName")]
    public bool? ServerName { get; init; }

    [JsonPropertyName("sslName")]
    public string? SslName { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
