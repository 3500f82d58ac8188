namespace MeshBridge.Grpc;

/// <summary>
/// The outcome of a call: a code and a human-readable detail (the decoded <c>grpc-message</c>), with the exception
/// that produced it when the failure was local (connection, TLS), so callers can diagnose without logs.
/// </summary>
/// <param name="StatusCode">The gRPC code.</param>
/// <param name="Detail">The message; empty when the peer sent none.</param>
/// <param name="DebugException">The local exception behind a client-side status, if any.</param>
public readonly record struct Status(StatusCode StatusCode, string Detail, Exception? DebugException = null)
{
    /// <summary>The status of a successful call.</summary>
    public static Status DefaultSuccess { get; } = new(StatusCode.OK, string.Empty);

    /// <inheritdoc />
    public override string ToString() =>
        DebugException is null
            ? $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\")"
            : $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\", DebugException=\"{DebugException.GetType().Name}: {DebugException.Message}\")";
}
