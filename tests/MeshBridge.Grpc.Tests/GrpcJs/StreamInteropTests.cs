using System.Text;
using MeshBridge.Protos.Envoy.Core;
using MeshBridge.Protos.Envoy.Discovery;
using MeshBridge.Protos.Envoy.Tls;

namespace MeshBridge.Grpc.Tests.GrpcJs;

/// <summary>StreamSecrets against grpc-js: the SDS conversation (request, response, ACK…) and how the stream ends.</summary>
[Collection(InteropCollection.Name)]
public sealed class StreamInteropTests(InteropServer server)
{
    private const string SecretType = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("tcp")]
    [InlineData("uds")]
    public async Task Each_request_is_answered_in_turn_and_half_closing_ends_the_stream_with_OK(string transport)
    {
        using var channel = GrpcChannel.ForAddress(transport == "tcp" ? server.TcpAddress : server.SocketAddress);
        using var call = channel.DuplexStreamingCall(Methods.StreamSecrets);

        var nonce = string.Empty;
        for (var i = 1; i <= 3; i++)
        {
            await call.RequestStream.WriteAsync(Request(nonce, "default", "ROOTCA")).WaitAsync(Timeout);
            Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Timeout));

            var response = call.ResponseStream.Current;
            Assert.Equal($"nonce-{i}", response.Nonce);
            Assert.Equal($"sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local/{i}", response.VersionInfo);
            Assert.Equal(SecretType, response.TypeUrl);
            Assert.Equal(["default", "ROOTCA"], response.Resources.Select(r => r.Unpack<Secret>().Name));
            nonce = response.Nonce;
        }

        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);

        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task A_server_status_after_some_responses_ends_the_stream_with_that_status()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);
        var headers = Methods.Headers(("x-end-after", "2"), ("x-end-code", "9"));
        headers.Add("x-end-message-bin", Encoding.UTF8.GetBytes("rotate: stale ROOTCA, 50% done"));
        using var call = channel.DuplexStreamingCall(Methods.StreamSecrets, new CallOptions(headers));

        await call.RequestStream.WriteAsync(Request(string.Empty, "default")).WaitAsync(Timeout);
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Timeout));
        await call.RequestStream.WriteAsync(Request("nonce-1", "default")).WaitAsync(Timeout);
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Timeout));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(Timeout));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("rotate: stale ROOTCA, 50% done", error.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_read_cancels_the_stream()
    {
        using var channel = GrpcChannel.ForAddress(server.TcpAddress);
        using var call = channel.DuplexStreamingCall(Methods.StreamSecrets);
        await call.RequestStream.WriteAsync(Request(string.Empty, "default")).WaitAsync(Timeout);
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Timeout));
        using var cancellation = new CancellationTokenSource();

        var read = call.ResponseStream.MoveNext(cancellation.Token);
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => read.WaitAsync(Timeout));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task A_stream_deadline_fails_the_stream_with_DeadlineExceeded()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var channel = GrpcChannel.ForAddress(server.TcpAddress, new GrpcChannelOptions { TimeProvider = clock });
        using var call = channel.DuplexStreamingCall(Methods.StreamSecrets, new CallOptions(Deadline: clock.GetUtcNow().UtcDateTime.AddHours(1)));
        await call.RequestStream.WriteAsync(Request(string.Empty, "default")).WaitAsync(Timeout);
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Timeout));
        var read = call.ResponseStream.MoveNext();

        clock.Advance(TimeSpan.FromHours(1));

        var error = await Assert.ThrowsAsync<RpcException>(() => read.WaitAsync(Timeout));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task A_stream_to_an_unreachable_socket_fails_with_Unavailable_on_write_and_read()
    {
        using var channel = GrpcChannel.ForAddress(new Uri($"unix://{server.SocketPath}.missing"));
        using var call = channel.DuplexStreamingCall(Methods.StreamSecrets);

        var writeError = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(Request(string.Empty, "default")).WaitAsync(Timeout));
        var readError = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unavailable, writeError.StatusCode);
        Assert.Equal(StatusCode.Unavailable, readError.StatusCode);
    }

    private static DiscoveryRequest Request(string nonce, params string[] names) => new()
    {
        Node = new Node { Id = "sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local", Cluster = "nginx.ns" },
        TypeUrl = SecretType,
        ResponseNonce = nonce,
        ResourceNames = { names },
    };
}
