namespace MeshBridge.Grpc;

/// <summary>
/// A request body written after the call has started: HttpClient hands over the HTTP/2 request stream when it calls
/// <see cref="SerializeToStreamAsync(Stream, System.Net.TransportContext?)"/>, and the body ends (END_STREAM) when the
/// caller completes it. This is what makes a duplex call possible: grpc-js sends no response headers until the first
/// response, which may need a request first, so the response cannot be awaited before writing.
/// </summary>
internal sealed class PushStreamContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PushStreamContent() => Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);

    public Task<Stream> GetStreamAsync(CancellationToken cancellationToken) => _stream.Task.WaitAsync(cancellationToken);

    public void Complete() => _completed.TrySetResult();

    public void Abort()
    {
        _stream.TrySetCanceled();
        _completed.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        await _completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
