using MeshBridge.Transform;

namespace MeshBridge.Controller.Certificates;

/// <summary>The source used until one is configured: egress-mtls VirtualServers wait, with a Warning event.</summary>
public sealed class NoCertificateSource : ICertificateSource
{
    public Task<IssuedCertificate?> GetAsync(NicIdentity identity, CancellationToken cancellationToken) => Task.FromResult<IssuedCertificate?>(null);
}
