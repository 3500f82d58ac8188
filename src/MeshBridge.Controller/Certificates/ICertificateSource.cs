namespace MeshBridge.Controller.Certificates;

/// <summary>
/// Issues the mesh certificate for a NIC identity (the Istio CA or SDS sources plug in here). The egress-mtls path
/// writes its two Secrets from this before it references the Policy (DESIGN.md §2–3).
/// </summary>
public interface ICertificateSource
{
    /// <summary>
    /// The current certificate for the identity, or null while none can be had yet; a source that failed to get one
    /// throws, and the VirtualServer waits with the failure in its CertificatePending event and status.
    /// </summary>
    Task<IssuedCertificate?> GetAsync(MeshIdentity identity, CancellationToken cancellationToken);

    /// <summary>When the identity's certificate should be asked for again (its renewal), so its users are reconciled then; null: never by itself.</summary>
    DateTimeOffset? RenewalDue(MeshIdentity identity) => null;
}
