using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// The HTTP transport to the API server: a SocketsHttpHandler whose connections come from <see cref="TlsConnector"/>.
/// When the client certificate changes (an exec plugin rotated it) the pool is replaced, so no request goes out on a
/// connection authenticated with the old certificate; client-go does the same by closing every tracked connection
/// (exec.go connTracker.CloseAll), which also ends requests in flight on them.
/// </summary>
internal sealed class KubernetesTransportHandler(TlsSettings settings, Func<X509Certificate2?> clientCertificate) : HttpMessageHandler
{
    private readonly Lock gate = new();
    private ConnectionPool? pool;
    private bool disposed;

    /// <summary>How many pools were built: one unless the client certificate rotated.</summary>
    internal int PoolGeneration { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        CurrentPool().Invoker.SendAsync(request, cancellationToken);

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        CurrentPool().Invoker.Send(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (gate)
            {
                disposed = true;
                pool?.Invoker.Dispose();
                pool = null;
            }
        }

        base.Dispose(disposing);
    }

    private ConnectionPool CurrentPool()
    {
        var certificate = clientCertificate();
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (pool is not null && ReferenceEquals(pool.Certificate, certificate))
            {
                return pool;
            }

            pool?.Invoker.Dispose();
            pool = new ConnectionPool(certificate, new HttpMessageInvoker(CreateSocketsHandler(new TlsConnector(settings, certificate))));
            PoolGeneration++;
            return pool;
        }
    }

    private static SocketsHttpHandler CreateSocketsHandler(TlsConnector connector) => new()
    {
        ConnectCallback = connector.ConnectAsync,

        // Watches hold HTTP/2 streams open; more than one connection keeps them from queueing behind the server's
        // limit of concurrent streams per connection.
        EnableMultipleHttp2Connections = true,

        // Reconnect now and then so a new API server replica behind the service or load balancer gets traffic; a
        // request in flight (a watch) keeps its connection until it ends.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),

        // client-go's transport defaults (apimachinery util/net SetTransportDefaults): 90 s idle, 30 s dial timeout,
        // HTTP/2 health check after 30 s without frames, 15 s for the ping answer.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        ConnectTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        AutomaticDecompression = DecompressionMethods.GZip,

        // The connect callback does TLS, so a proxy (HTTPS_PROXY, kubeconfig proxy-url) cannot be put in between:
        // MeshBridge dials the API server directly.
        UseProxy = false,
    };

    private sealed record ConnectionPool(X509Certificate2? Certificate, HttpMessageInvoker Invoker);
}
