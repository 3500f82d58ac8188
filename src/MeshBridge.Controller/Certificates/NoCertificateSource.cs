namespace MeshBridge.Controller.Certificates;

/// <summary>The source used until one is configured: egress-mtls VirtualServers wait, with a Warning event.</summary>
public sealed class NoCertificateSource : ICertificateSource
{
    public Task<IssuedCertificate?> GetAsync(MeshIdentity identity, CancellationToken cancellationToken) => Task.FromResult<IssuedCertificate?>(null);
}
