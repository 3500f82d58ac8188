namespace MeshBridge.Certificates;

/// <summary>
/// The CA's answer cannot be used: its <c>cert_chain</c> is malformed, or the certificate in it is not the one asked
/// for. Nothing is written then. The message names the reason and never holds key material, so it can go into a
/// Kubernetes Event or a log line as it is.
/// </summary>
public sealed class CertificateVerificationException : Exception
{
    public CertificateVerificationException()
    {
    }

    public CertificateVerificationException(string message)
        : base(message)
    {
    }

    public CertificateVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
