using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Grpc;

/// <summary>
/// How a <see cref="GrpcChannel"/> connects and what it accepts. Each transport MeshBridge needs is one option:
/// TLS to istiod with its own root and server name, cleartext over the SDS Unix socket, or a test handler.
/// </summary>
public sealed class GrpcChannelOptions
{
    /// <summary>The gRPC default receive limit (4 MiB), as in grpc-go, grpc-java and Grpc.Net.Client.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// A handler to send requests through instead of the channel's own <see cref="SocketsHttpHandler"/>; the TLS and
    /// Unix socket options are then ignored. The channel does not dispose it unless <see cref="DisposeHttpHandler"/>.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Whether disposing the channel disposes <see cref="HttpHandler"/>.</summary>
    public bool DisposeHttpHandler { get; init; }

    /// <summary>
    /// Roots to trust for an <c>https</c> address instead of the system store (istiod's server certificate chains to
    /// the mesh root in <c>istio-ca-root-cert</c>, which no system store holds). Null: the system store.
    /// </summary>
    public X509Certificate2Collection? RootCertificates { get; init; }

    /// <summary>
    /// The name the server certificate must carry and the TLS SNI to send, when it differs from the address host
    /// (dialing istiod by IP but validating <c>istiod.istio-system.svc</c>). Also sent as <c>:authority</c>.
    /// </summary>
    public string? ExpectedServerName { get; init; }

    /// <summary>
    /// A Unix domain socket to speak cleartext HTTP/2 over (the SDS socket of istio-agent or SPIRE). An address
    /// <c>unix:///path</c> sets it too.
    /// </summary>
    public string? UnixSocketPath { get; init; }

    /// <summary>The largest response message accepted; larger ones fail with ResourceExhausted. Null: unlimited.</summary>
    public int? MaxReceiveMessageSize { get; init; } = DefaultMaxReceiveMessageSize;

    /// <summary>The largest request message sent; larger ones fail with ResourceExhausted. Null: unlimited.</summary>
    public int? MaxSendMessageSize { get; init; }

    /// <summary>The clock deadlines are read against and their timers run on.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How long opening a connection may take before the call fails with Unavailable.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
