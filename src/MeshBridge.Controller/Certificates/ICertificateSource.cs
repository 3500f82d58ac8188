namespace MeshBridge.Controller.Certificates;

/// <summary>
/// Issues the mesh certificate for a NIC identity (the Istio CA or SDS sources plug in here). The egress-mtls path
/// writes its two Secrets from this before it references the Policy (DESIGN.md §2–3).
/// </summary>
public interface ICertificateSource
{
    /// <summary>The current certificate for the identity, or null while none can be had (the reason is in the exception).</summary>
    Task<IssuedCertificate?> GetAsync(MeshIdentity identity, CancellationToken cancellationToken);
}
