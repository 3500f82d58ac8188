namespace MeshBridge.Grpc;

/// <summary>
/// The response side of a streaming call (as in Grpc.Core.Api): <see cref="MoveNext"/> returns false at the end
/// with status OK and throws <see cref="RpcException"/> when the call ends with any other status.
/// </summary>
/// <typeparam name="T">The response message type.</typeparam>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNext"/>.</summary>
    T Current { get; }

    /// <summary>Reads the next message; the token cancels the whole call, as in Grpc.Net.Client.</summary>
    Task<bool> MoveNext(CancellationToken cancellationToken = default);
}
