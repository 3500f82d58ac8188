namespace MeshBridge.Controller.Certificates;

/// <summary>
/// A certificate source could not get a certificate: the CA, its root or a token could not be had. The message names
/// the object or call that failed and never holds a token or key, so it can go into an Event as it is.
/// </summary>
public sealed class CertificateSourceException : Exception
{
    public CertificateSourceException()
    {
    }

    public CertificateSourceException(string message)
        : base(message)
    {
    }

    public CertificateSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
