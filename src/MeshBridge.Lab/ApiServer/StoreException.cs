namespace MeshBridge.Lab.ApiServer;

/// <summary>A storage outcome the API layer turns into a Status: NotFound, AlreadyExists, Conflict, Expired, Invalid.</summary>
public sealed class StoreException : Exception
{
    public StoreException()
    {
        Reason = "InternalError";
    }

    public StoreException(string message)
        : base(message)
    {
        Reason = "InternalError";
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = "InternalError";
    }

    public StoreException(string reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public string Reason { get; }
}
