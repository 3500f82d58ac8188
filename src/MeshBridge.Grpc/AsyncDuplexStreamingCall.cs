namespace MeshBridge.Grpc;

/// <summary>
/// A running bidirectional call (shaped like Grpc.Core's AsyncDuplexStreamingCall): write requests to
/// <see cref="RequestStream"/>, read responses from <see cref="ResponseStream"/>. Dispose it to cancel the call if it is
/// still running; SDS streams live for hours, so an abandoned one must not keep its HTTP/2 stream open.
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly DuplexCall<TRequest, TResponse> _call;

    internal AsyncDuplexStreamingCall(DuplexCall<TRequest, TResponse> call) => _call = call;

    /// <summary>Where requests are written; complete it to half-close.</summary>
    public IClientStreamWriter<TRequest> RequestStream => _call;

    /// <summary>Where responses are read; its end carries the call's status.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream => _call;

    /// <summary>The response headers, available once the first response (or the status) has been read.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>The final status; throws while the call is still running.</summary>
    public Status GetStatus() => _call.Status ?? throw new InvalidOperationException("The call has not finished; read the response stream to its end.");

    /// <summary>The trailers; throws while the call is still running.</summary>
    public Metadata GetTrailers() => _call.Trailers ?? throw new InvalidOperationException("The call has not finished; read the response stream to its end.");

    /// <inheritdoc />
    public void Dispose() => _call.Dispose();
}
