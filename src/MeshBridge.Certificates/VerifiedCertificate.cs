namespace MeshBridge.Certificates;

/// <summary>
/// A CA answer that passed <see cref="ChainVerifier"/>, ready to write: <c>tls.crt</c> (leaf and intermediates),
/// <c>tls.key</c> (PKCS#8) and <c>ca.crt</c> (the CA's root bundle). The controller builds its IssuedCertificate
/// from it. <see cref="ToString"/> never shows the key, so the record is safe to log.
/// </summary>
public sealed record VerifiedCertificate(
    string SpiffeId,
    string CertificateChainPem,
    string PrivateKeyPem,
    string RootBundlePem,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter)
{
    public override string ToString() =>
        $"VerifiedCertificate {{ SpiffeId = {SpiffeId}, NotBefore = {NotBefore:O}, NotAfter = {NotAfter:O}, PrivateKeyPem = <redacted> }}";
}
