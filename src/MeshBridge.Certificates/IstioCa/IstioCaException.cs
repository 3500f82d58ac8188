namespace MeshBridge.Certificates.IstioCa;

/// <summary>
/// A certificate request to the Istio CA failed. The message names the cause and what to check; it never holds the
/// bearer token or key material, so it can go into an Event or a log line as it is.
/// </summary>
public sealed class IstioCaException : Exception
{
    public IstioCaException()
    {
    }

    public IstioCaException(string message)
        : base(message)
    {
    }

    public IstioCaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IstioCaException(IstioCaFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>The kind of failure.</summary>
    public IstioCaFailure Failure { get; }
}
