namespace MeshBridge.Controller.Certificates;

/// <summary>
/// What a certificate source that keeps certificates tells the operations side: a certificate issued (its expiry
/// becomes <c>meshbridge_certificate_expiration_timestamp_seconds</c>) and an attempt that failed
/// (<c>meshbridge_certificate_renewal_failures_total</c>). Handlers must be quick and must not throw.
/// </summary>
public interface ICertificateLifecycle
{
    event Action<MeshIdentity, IssuedCertificate>? Issued;

    event Action<MeshIdentity, Exception>? Failed;
}
