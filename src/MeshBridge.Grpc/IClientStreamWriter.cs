namespace MeshBridge.Grpc;

/// <summary>
/// The request side of a streaming call (as in Grpc.Core.Api). One write at a time: each write is flushed as its own
/// HTTP/2 DATA so an SDS ACK reaches the server at once rather than sitting in a buffer.
/// </summary>
/// <typeparam name="T">The request message type.</typeparam>
public interface IClientStreamWriter<in T>
{
    /// <summary>Sends one message; fails with the call's status once the call has ended.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>Half-closes the call (HTTP/2 END_STREAM): no more requests, responses may still arrive.</summary>
    Task CompleteAsync();
}
