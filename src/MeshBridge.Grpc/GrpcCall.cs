using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace MeshBridge.Grpc;

/// <summary>
/// What every call shape shares: the HTTP/2 request, the deadline timer (on the channel's TimeProvider, so a test
/// clock drives it), the response checks and the one mapping from local failures to status codes.
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse> : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenSource _call;
    private readonly TimeSpan? _timeout;
    private int _disposed;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _options = options;
        Method = method;
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var remaining = deadline.ToUniversalTime() - channel.Options.TimeProvider.GetUtcNow().UtcDateTime;
            _timeout = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
            _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, channel.Options.TimeProvider);
            if (_timeout <= TimeSpan.Zero)
            {
                _deadline.Cancel();
            }
            else if (_timeout < MaxTimerDelay)
            {
                _deadline.CancelAfter(_timeout.Value);
            }
        }

        _call = _deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, _deadline.Token);
    }

    // CancellationTokenSource timers take at most uint.MaxValue - 1 milliseconds; a longer deadline is "none" locally.
    private static TimeSpan MaxTimerDelay { get; } = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public Method<TRequest, TResponse> Method { get; }

    /// <summary>Fires on caller cancellation, deadline or dispose; every I/O of the call observes it.</summary>
    public CancellationToken Token => _call.Token;

    public int? MaxReceiveMessageSize => _channel.Options.MaxReceiveMessageSize;

    public void Cancel()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _call.Cancel();
        }
    }

    public byte[] Frame(TRequest request)
    {
        byte[] message;
        try
        {
            message = Method.RequestMarshaller.Serializer(request);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to serialize the request message.", e));
        }

        return MessageFraming.Frame(message, _channel.Options.MaxSendMessageSize);
    }

    public TResponse Parse(byte[] message)
    {
        try
        {
            return Method.ResponseMarshaller.Deserializer(message);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidOperationException or ArgumentException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize the response message.", e));
        }
    }

    public async Task<HttpResponseMessage> SendAsync(HttpContent content)
    {
        Token.ThrowIfCancellationRequested();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.BaseAddress, Method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        if (_channel.Options.ExpectedServerName is { } serverName)
        {
            // SocketsHttpHandler takes the TLS SNI and certificate name from Host (HTTP/2 :authority) when it is set.
            request.Headers.Host = serverName;
        }

        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (_timeout is { } timeout)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.EncodeTimeout(timeout));
        }

        foreach (var entry in _options.Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(
                entry.Key,
                entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value);
        }

        return await _channel.Invoker.SendAsync(request, Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks the response headers. Returns the status of a Trailers-Only response (the server answered with
    /// <c>grpc-status</c> in its headers and no body), or null when messages and trailers follow.
    /// </summary>
    public static Status? CheckResponseHeaders(HttpResponseMessage response, out Metadata headers)
    {
        headers = GrpcProtocol.ToMetadata(response.Headers);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new RpcException(
                new Status(GrpcProtocol.FromHttpStatus(response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}."),
                headers);
        }

        if (GrpcProtocol.ReadStatus(headers) is { } trailersOnly)
        {
            return trailersOnly.StatusCode == StatusCode.OK ? trailersOnly : throw new RpcException(trailersOnly, headers);
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        return mediaType is not null && mediaType.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase)
            ? null
            : throw new RpcException(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type '{mediaType}'."), headers);
    }

    /// <summary>The status in the trailers, read once the body has ended; a missing one means the stream broke off.</summary>
    public static (Status Status, Metadata Trailers) ReadTrailers(HttpResponseMessage response)
    {
        var trailers = GrpcProtocol.ToMetadata(response.TrailingHeaders);
        var status = GrpcProtocol.ReadStatus(trailers)
            ?? new Status(StatusCode.Internal, "The response ended without a grpc-status trailer.");
        return (status, trailers);
    }

    /// <summary>
    /// The status for a local failure. Deadline and cancellation are told apart by which token fired, because HttpClient
    /// reports both (and a reset stream) as the same OperationCanceledException or IOException.
    /// </summary>
    public RpcException MapException(Exception exception)
    {
        if (exception is RpcException rpc)
        {
            return rpc;
        }

        if (_deadline?.IsCancellationRequested == true)
        {
            return new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded", exception));
        }

        if (_call.IsCancellationRequested || exception is OperationCanceledException)
        {
            return new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client.", exception));
        }

        return exception switch
        {
            HttpProtocolException { ErrorCode: 0x7 } => Fail(StatusCode.Unavailable, "The server refused the stream."),
            HttpProtocolException { ErrorCode: 0x8 } => Fail(StatusCode.Cancelled, "The server cancelled the stream."),
            HttpProtocolException => Fail(StatusCode.Internal, "HTTP/2 protocol error."),
            HttpRequestException => Fail(StatusCode.Unavailable, "Error connecting to the server."),
            IOException => Fail(StatusCode.Unavailable, "The connection failed."),
            _ => Fail(StatusCode.Internal, "The call failed."),
        };

        RpcException Fail(StatusCode code, string detail) =>
            new(new Status(code, $"{detail} {exception.GetType().Name}: {exception.Message}", exception));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _call.Cancel();
            _call.Dispose();
            _deadline?.Dispose();
        }
    }
}
