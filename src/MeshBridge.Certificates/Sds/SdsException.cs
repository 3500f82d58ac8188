namespace MeshBridge.Certificates.Sds;

/// <summary>
/// Fetching secrets over SDS failed. The message names the cause and what to check; it never holds key material.
/// </summary>
public sealed class SdsException : Exception
{
    public SdsException()
    {
    }

    public SdsException(string message)
        : base(message)
    {
    }

    public SdsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SdsException(SdsFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>The kind of failure.</summary>
    public SdsFailure Failure { get; }
}
