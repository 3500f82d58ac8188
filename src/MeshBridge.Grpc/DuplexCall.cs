namespace MeshBridge.Grpc;

/// <summary>
/// A bidirectional call: the HTTP request starts at once with a <see cref="PushStreamContent"/> body, writes go to it
/// as they come, and reads walk the response body frame by frame until the trailers give the status.
/// </summary>
internal sealed class DuplexCall<TRequest, TResponse> : IClientStreamWriter<TRequest>, IAsyncStreamReader<TResponse>, IDisposable
{
    private readonly GrpcCall<TRequest, TResponse> _call;
    private readonly PushStreamContent _content = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task<HttpResponseMessage> _response;
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Stream? _body;
    private TResponse? _current;
    private bool _completed;

    public DuplexCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _call = new GrpcCall<TRequest, TResponse>(channel, method, options);
        _response = _call.SendAsync(_content);

        // A call that fails before HttpClient asks for the body (connection refused, TLS rejected) never hands over
        // the request stream; release writers waiting for it.
        _ = _response.ContinueWith(
            static (t, content) => ((PushStreamContent)content!).Abort(),
            _content,
            CancellationToken.None,
            TaskContinuationOptions.NotOnRanToCompletion,
            TaskScheduler.Default);
    }

    /// <summary>The call's final status once known (after MoveNext returned false or threw).</summary>
    public Status? Status { get; private set; }

    /// <summary>The trailers once the call has ended.</summary>
    public Metadata? Trailers { get; private set; }

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public TResponse Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true.");

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        if (Status is { } ended)
        {
            throw ended.StatusCode == StatusCode.OK
                ? new InvalidOperationException("The call has completed; no more requests can be written.")
                : new RpcException(ended, Trailers);
        }

        var frame = _call.Frame(message);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                throw new InvalidOperationException("The request stream has already been completed.");
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_call.Token, cancellationToken);
            var stream = await _content.GetStreamAsync(linked.Token).ConfigureAwait(false);
            await stream.WriteAsync(frame, linked.Token).ConfigureAwait(false);
            await stream.FlushAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not InvalidOperationException and not RpcException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // A write cancelled halfway leaves a partial frame on the stream: the call cannot go on (as in Grpc.Net.Client).
                _call.Cancel();
            }

            throw Status is { } status ? new RpcException(status, Trailers)
                : _response.IsFaulted ? _call.MapException(_response.Exception.GetBaseException())
                : _call.MapException(e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task CompleteAsync()
    {
        await _writeLock.WaitAsync(_call.Token).ConfigureAwait(false);
        try
        {
            _completed = true;
            _content.Complete();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        if (Status is { } ended)
        {
            return ended.StatusCode == StatusCode.OK ? false : throw new RpcException(ended, Trailers);
        }

        using var registration = cancellationToken.Register(_call.Cancel);
        try
        {
            if (_body is null)
            {
                var response = await _response.ConfigureAwait(false);
                var trailersOnly = GrpcCall<TRequest, TResponse>.CheckResponseHeaders(response, out var headers);
                _headers.TrySetResult(headers);
                if (trailersOnly is { } status)
                {
                    return End(status, headers);
                }

                _body = await response.Content.ReadAsStreamAsync(_call.Token).ConfigureAwait(false);
            }

            var message = await MessageFraming.ReadAsync(_body, _call.MaxReceiveMessageSize, _call.Token).ConfigureAwait(false);
            if (message is null)
            {
                var (status, trailers) = GrpcCall<TRequest, TResponse>.ReadTrailers(await _response.ConfigureAwait(false));
                return End(status, trailers);
            }

            _current = _call.Parse(message);
            return true;
        }
        catch (Exception e)
        {
            var failure = _call.MapException(e);
            Status = failure.Status;
            Trailers = failure.Trailers;
            if (_headers.TrySetException(failure))
            {
                _ = _headers.Task.Exception;
            }

            _content.Abort();
            if (failure.StatusCode != StatusCode.OK)
            {
                _call.Cancel();
            }

            throw failure;
        }
    }

    public void Dispose()
    {
        _content.Abort();
        _call.Dispose();
        if (_headers.TrySetException(new RpcException(new Status(StatusCode.Cancelled, "The call was disposed."))))
        {
            // Nobody may ever await the headers of a disposed call; observe the failure so it is not reported as unobserved.
            _ = _headers.Task.Exception;
        }

        if (_response.IsCompletedSuccessfully)
        {
            _response.Result.Dispose();
        }
        else
        {
            // Observe the failure the cancellation causes so it does not surface as an unobserved task exception.
            _ = _response.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }

        _writeLock.Dispose();
        _content.Dispose();
    }

    private bool End(Status status, Metadata trailers)
    {
        Status = status;
        Trailers = trailers;
        _content.Abort();
        return status.StatusCode == StatusCode.OK ? false : throw new RpcException(status, trailers);
    }
}
