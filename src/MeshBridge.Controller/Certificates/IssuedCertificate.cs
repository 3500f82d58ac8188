namespace MeshBridge.Controller.Certificates;

/// <summary>
/// A certificate for a NIC identity: the leaf and intermediates (PEM, for <c>tls.crt</c>), the private key (PEM, for
/// <c>tls.key</c>) and the mesh root bundle (PEM, for <c>ca.crt</c>). <see cref="ToString"/> never shows the key.
/// </summary>
public sealed record IssuedCertificate(string CertificateChainPem, string PrivateKeyPem, string RootBundlePem, DateTimeOffset NotAfter)
{
    public override string ToString() => $"IssuedCertificate {{ NotAfter = {NotAfter:O}, PrivateKeyPem = <redacted> }}";
}
