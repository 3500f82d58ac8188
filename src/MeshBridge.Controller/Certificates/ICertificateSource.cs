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

    /// <summary>
    /// Why the identity's certificate could not be renewed, while the current one is still served; null when the last
    /// attempt worked (or the source does not renew by itself).
    /// </summary>
    RenewalTrouble? Trouble(MeshIdentity identity) => null;

    /// <summary>
    /// The mesh root the cluster publishes no longer matches the identity's certificate: the next
    /// <see cref="GetAsync"/> asks for a new one (sources whose certificates are pushed to them ignore it).
    /// </summary>
    void Reissue(MeshIdentity identity)
    {
    }
}

/// <summary>A renewal that keeps failing while the current certificate is still served.</summary>
/// <param name="Failures">Failed attempts since the last certificate was issued.</param>
/// <param name="LastError">The last attempt's failure.</param>
/// <param name="ServedUntil">When the certificate still in use expires.</param>
/// <param name="NextAttempt">When the next attempt is made.</param>
public sealed record RenewalTrouble(int Failures, Exception LastError, DateTimeOffset ServedUntil, DateTimeOffset NextAttempt);
