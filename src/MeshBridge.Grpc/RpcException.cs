namespace MeshBridge.Grpc;

/// <summary>
/// A call that ended with a status other than OK. Callers branch on <see cref="StatusCode"/> (e.g. retry
/// Unavailable, give up on InvalidArgument) the way istio-agent does, so every failure path maps to a precise code.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates the exception for a status, with the trailers the server sent (empty when none).</summary>
    public RpcException(Status status, Metadata? trailers = null)
        : base(status.ToString(), status.DebugException)
    {
        Status = status;
        Trailers = trailers ?? [];
    }

    /// <summary>Creates the exception for a status and a message of the caller's choice.</summary>
    public RpcException(Status status, Metadata? trailers, string message)
        : base(message, status.DebugException)
    {
        Status = status;
        Trailers = trailers ?? [];
    }

    /// <summary>The status the call ended with.</summary>
    public Status Status { get; }

    /// <summary>Shortcut for <c>Status.StatusCode</c>.</summary>
    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>The response trailers (or Trailers-Only headers); empty for client-side failures.</summary>
    public Metadata Trailers { get; }
}
