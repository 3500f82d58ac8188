namespace MeshBridge.Certificates.Sds;

/// <summary>The workload certificate and trust bundle an SDS server handed out, as PEM.</summary>
/// <param name="CertificateChainPem">The workload chain, leaf first (istio-agent includes the root).</param>
/// <param name="PrivateKeyPem">The workload private key; never log it.</param>
/// <param name="RootBundlePem">The trust bundle.</param>
/// <param name="CertificateVersion">The version_info of the response that carried the certificate.</param>
public sealed record SdsSecrets(string CertificateChainPem, string PrivateKeyPem, string RootBundlePem, string CertificateVersion)
{
    /// <summary>The version_info of the response that carried the trust bundle.</summary>
    public string RootVersion { get; init; } = string.Empty;

    /// <summary>Leaves the key out, so the record can be logged.</summary>
    public override string ToString() => $"SdsSecrets {{ CertificateVersion = {CertificateVersion}, RootVersion = {RootVersion} }}";
}
