using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf.WellKnownTypes;
using MeshBridge.Protos.Istio;

namespace MeshBridge.Grpc.Tests.GrpcJs;

/// <summary>CreateCertificate against grpc-js: what istiod's CA API needs from our client, checked on a real peer.</summary>
[Collection(InteropCollection.Name)]
public sealed class UnaryInteropTests(InteropServer server)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_unary_call_over_cleartext_TCP_carries_the_request_and_the_metadata()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);
        var headers = Methods.Headers(("Authorization", "Bearer token-123"), ("x-custom", "hello"));
        headers.Add("x-custom-bin", [0x01, 0x02, 0xff]);
        var request = new IstioCertificateRequest
        {
            Csr = "-----BEGIN CERTIFICATE REQUEST-----",
            ValidityDuration = 86400,
            Metadata = new Struct { Fields = { ["ClusterID"] = Value.ForString("Kubernetes") } },
        };

        var response = await channel.UnaryAsync(Methods.CreateCertificate, request, new CallOptions(headers)).WaitAsync(Timeout);

        Assert.Equal("-----BEGIN CERTIFICATE REQUEST-----", response.CertChain[0]);
        Assert.Equal("authorization=Bearer token-123", response.CertChain[1]);
        Assert.Equal("x-custom=hello", response.CertChain[2]);
        Assert.Equal("x-custom-bin=0102ff", response.CertChain[3]);
        Assert.Equal("validity=86400", response.CertChain[4]);
        Assert.Contains("Kubernetes", response.CertChain[5], StringComparison.Ordinal);
        Assert.Equal("deadline=none", response.CertChain[6]);
    }

    [Fact]
    public async Task A_deadline_is_sent_as_grpc_timeout()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);

        var response = await channel.UnaryAsync(
            Methods.CreateCertificate,
            new IstioCertificateRequest { Csr = "csr" },
            new CallOptions(Deadline: DateTime.UtcNow.AddMinutes(1))).WaitAsync(Timeout);

        Assert.Equal("deadline=set", response.CertChain[6]);
    }

    [Fact]
    public async Task A_unary_call_over_a_unix_socket_address_works()
    {
        using var channel = GrpcChannel.ForAddress(server.SocketAddress);

        var response = await channel.UnaryAsync(Methods.CreateCertificate, new IstioCertificateRequest { Csr = "over uds" }).WaitAsync(Timeout);

        Assert.Equal("over uds", response.CertChain[0]);
    }

    [Fact]
    public async Task A_unary_call_over_TLS_trusting_the_test_root_and_expecting_the_server_name_works()
    {
        using var channel = GrpcChannel.ForAddress(server.TlsAddress, Tls(server.Root, InteropServer.ServerName));

        var response = await channel.UnaryAsync(Methods.CreateCertificate, new IstioCertificateRequest { Csr = "over tls" }).WaitAsync(Timeout);

        Assert.Equal("over tls", response.CertChain[0]);
    }

    [Fact]
    public async Task TLS_fails_with_Unavailable_when_the_certificate_does_not_name_the_expected_server()
    {
        using var channel = GrpcChannel.ForAddress(server.TlsAddress, Tls(server.Root, "istiod.istio-system.svc"));

        var error = await CallFailsAsync(channel, new CallOptions());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task TLS_fails_with_Unavailable_when_the_server_chains_to_an_untrusted_root()
    {
        using var channel = GrpcChannel.ForAddress(server.TlsAddress, Tls(server.OtherRoot, InteropServer.ServerName));

        var error = await CallFailsAsync(channel, new CallOptions());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task A_Trailers_Only_error_gives_the_code_and_the_percent_decoded_message()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);
        var headers = Methods.Headers(("x-fail-code", "16"));
        headers.Add("x-fail-message-bin", System.Text.Encoding.UTF8.GetBytes("request authenticate failure: 100% ünïcode"));

        var error = await CallFailsAsync(channel, new CallOptions(headers));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("request authenticate failure: 100% ünïcode", error.Status.Detail);
    }

    [Fact]
    public async Task The_servers_trailers_come_with_the_error()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);
        var headers = Methods.Headers(("x-fail-code", "8"), ("x-fail-message", "slow down"), ("x-fail-reason", "quota"));

        var error = await CallFailsAsync(channel, new CallOptions(headers));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("slow down", error.Status.Detail);
        Assert.Equal("quota", error.Trailers.GetValue("x-reason"));
    }

    [Fact]
    public async Task An_unimplemented_method_fails_with_Unimplemented()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);

        var error = await Assert.ThrowsAsync<RpcException>(
            () => channel.UnaryAsync(Methods.FetchSecrets, new Protos.Envoy.Discovery.DiscoveryRequest()).WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task A_passed_deadline_fails_with_DeadlineExceeded()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);
        var headers = Methods.Headers(("x-delay-ms", "60000"));

        var error = await CallFailsAsync(channel, new CallOptions(headers, DateTime.UtcNow.AddMilliseconds(300)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task The_client_enforces_the_deadline_on_its_own_TimeProvider()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var channel = GrpcChannel.ForAddress(server.TcpAddress, new GrpcChannelOptions { TimeProvider = clock });
        var headers = Methods.Headers(("x-delay-ms", "60000"), ("x-call-id", "client-deadline"));
        var call = channel.UnaryAsync(
            Methods.CreateCertificate,
            new IstioCertificateRequest { Csr = "csr" },
            new CallOptions(headers, clock.GetUtcNow().UtcDateTime.AddMinutes(10)));
        await server.WaitForLineAsync("call client-deadline", Timeout);

        clock.Advance(TimeSpan.FromMinutes(10));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(Timeout));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_call_the_server_holds_fails_it_with_Cancelled()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);
        using var cancellation = new CancellationTokenSource();
        var headers = Methods.Headers(("x-delay-ms", "60000"), ("x-call-id", "cancel-me"));
        var call = channel.UnaryAsync(
            Methods.CreateCertificate,
            new IstioCertificateRequest { Csr = "csr" },
            new CallOptions(headers, CancellationToken: cancellation.Token));
        await server.WaitForLineAsync("call cancel-me", Timeout);

        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(Timeout));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task A_response_over_the_receive_limit_fails_with_ResourceExhausted()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 1024 });

        var error = await CallFailsAsync(channel, new CallOptions(Methods.Headers(("x-pad-bytes", "4096"))));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task The_default_receive_limit_is_4_MiB_like_grpc()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);

        var error = await CallFailsAsync(channel, new CallOptions(Methods.Headers(("x-pad-bytes", (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)))));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task A_request_over_the_send_limit_fails_with_ResourceExhausted()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress, new GrpcChannelOptions { MaxSendMessageSize = 64 });

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(
            Methods.CreateCertificate,
            new IstioCertificateRequest { Csr = new string('c', 1000) }).WaitAsync(Timeout));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task An_unreachable_TCP_address_fails_with_Unavailable()
    {
        using var channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{ClosedPort()}"));

        var error = await CallFailsAsync(channel, new CallOptions());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task A_missing_unix_socket_fails_with_Unavailable()
    {
        using var channel = GrpcChannel.ForAddress(new Uri($"unix://{server.SocketPath}.missing"));

        var error = await CallFailsAsync(channel, new CallOptions());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    private static async Task<RpcException> CallFailsAsync(GrpcChannel channel, CallOptions options) =>
        await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(
            Methods.CreateCertificate,
            new IstioCertificateRequest { Csr = "csr" },
            options).WaitAsync(Timeout));

    private static GrpcChannelOptions Tls(X509Certificate2 root, string serverName) => new()
    {
        RootCertificates = [root],
        ExpectedServerName = serverName,
    };

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
