using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Opens connections for <see cref="SocketsHttpHandler.ConnectCallback"/> and does the TLS handshake itself, because
/// SocketsHttpHandler takes SNI and the verified name from the Host header, while client-go's <c>tls-server-name</c>
/// changes only the TLS ServerName (rest.TLSClientConfig.ServerName) and leaves the Host header alone.
/// </summary>
internal sealed class TlsConnector
{
    private readonly TlsSettings settings;
    private readonly SslStreamCertificateContext? clientCertificate;

    public TlsConnector(TlsSettings settings, X509Certificate2? clientCertificate)
    {
        this.settings = settings;

        // A context sends exactly this certificate whatever CA names the server lists, as Go's crypto/tls does with a
        // single configured certificate; SslStream's own selection from ClientCertificates filters by those names.
        this.clientCertificate = clientCertificate is null ? null
            : SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            EndPoint endPoint = IPAddress.TryParse(host, out var address)
                ? new IPEndPoint(address, context.DnsEndPoint.Port)
                : context.DnsEndPoint;
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var network = new NetworkStream(socket, ownsSocket: true);
        if (context.InitialRequestMessage.RequestUri?.Scheme != Uri.UriSchemeHttps)
        {
            return network;
        }

        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(Options(host, context.InitialRequestMessage), cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private SslClientAuthenticationOptions Options(string host, HttpRequestMessage request) => new()
    {
        TargetHost = settings.ServerName ?? host,
        ApplicationProtocols = ApplicationProtocols(request),
        ClientCertificateContext = clientCertificate,

        // client-go's rest TLS config sets MinVersion TLS 1.2.
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        CertificateChainPolicy = ChainPolicy(),
        RemoteCertificateValidationCallback = settings.SkipVerify ? (_, _, _, _) => true : null,
    };

    /// <summary>
    /// A kubeconfig CA replaces the system roots, as Go's tls.Config.RootCAs does: the chain must end at one of these
    /// certificates, and they are never added to the machine's store. Certificate dates are checked by the TLS stack
    /// against the system clock, as Go's crypto/tls does.
    /// </summary>
    private X509ChainPolicy? ChainPolicy()
    {
        if (settings.CertificateAuthorities is not { Count: > 0 } authorities)
        {
            return null;
        }

        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(authorities);
        return policy;
    }

    /// <summary>What SocketsHttpHandler itself would offer in ALPN for this request's version and policy.</summary>
    private static List<SslApplicationProtocol> ApplicationProtocols(HttpRequestMessage request)
    {
        var exactHttp2 = request.Version >= HttpVersion.Version20 && request.VersionPolicy == HttpVersionPolicy.RequestVersionExact;
        var allowsHttp2 = request.Version >= HttpVersion.Version20 || request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher;
        return exactHttp2 ? [SslApplicationProtocol.Http2]
            : allowsHttp2 ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]
            : [SslApplicationProtocol.Http11];
    }
}
