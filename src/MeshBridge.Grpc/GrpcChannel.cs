namespace MeshBridge.Grpc;

/// <summary>
/// A connection target for gRPC calls over HTTP/2 (shaped like Grpc.Net.Client's GrpcChannel). Create one per server
/// and reuse it: it owns the HTTP/2 connection pool. Addresses: <c>https://host:port</c> (TLS),
/// <c>http://host:port</c> (cleartext HTTP/2 with prior knowledge), <c>unix:///path</c> (cleartext over a Unix socket).
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly HttpMessageHandler _handler;
    private readonly bool _disposeHandler;
    private bool _disposed;

    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Options = options;
        var unixSocketPath = options.UnixSocketPath;
        if (address.Scheme == "unix")
        {
            unixSocketPath = address.AbsolutePath;
        }

        if (unixSocketPath is not null && address.Scheme == Uri.UriSchemeHttps)
        {
            throw new ArgumentException("TLS over a Unix socket is not supported; use an http:// or unix:// address.", nameof(address));
        }

        Address = address;
        BaseAddress = unixSocketPath is null ? address : new Uri("http://localhost");
        if (address.Scheme != "unix" && address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Unsupported address scheme '{address.Scheme}'; use https, http or unix.", nameof(address));
        }

        _handler = options.HttpHandler ?? ChannelHandler.Create(options, unixSocketPath);
        _disposeHandler = options.HttpHandler is null || options.DisposeHttpHandler;
        Invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    /// <summary>The address the channel was created for.</summary>
    public Uri Address { get; }

    /// <summary>The options the channel was created with.</summary>
    public GrpcChannelOptions Options { get; }

    internal Uri BaseAddress { get; }

    internal HttpMessageInvoker Invoker { get; }

    /// <summary>Creates a channel; no connection is made until the first call.</summary>
    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    /// <summary>Creates a channel from an address string.</summary>
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null) =>
        ForAddress(new Uri(address), options);

    /// <summary>
    /// Makes a unary call. Fails with <see cref="RpcException"/>: the server's status, or a local one
    /// (Unavailable for connection/TLS failures, DeadlineExceeded, Cancelled, ResourceExhausted for size limits).
    /// </summary>
    public Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return method.Type == MethodType.Unary
            ? UnaryCall.InvokeAsync(this, method, request, options)
            : throw new ArgumentException($"{method.FullName} is {method.Type}, not Unary.", nameof(method));
    }

    /// <summary>Starts a bidirectional streaming call; the request is sent at once, messages as they are written.</summary>
    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return method.Type == MethodType.DuplexStreaming
            ? new AsyncDuplexStreamingCall<TRequest, TResponse>(new DuplexCall<TRequest, TResponse>(this, method, options))
            : throw new ArgumentException($"{method.FullName} is {method.Type}, not DuplexStreaming.", nameof(method));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Invoker.Dispose();
        if (_disposeHandler)
        {
            _handler.Dispose();
        }
    }
}
