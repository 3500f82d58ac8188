using System.Net;

namespace MeshBridge.Grpc.Tests.Protocol;

/// <summary>
/// Responses that did not come from a gRPC server (a proxy's error page, a plain HTTP endpoint), served by a handler
/// stub because grpc-js never sends them.
/// </summary>
public sealed class HttpStatusTests
{
    private static readonly Method<string, string> Echo = new(
        MethodType.Unary,
        "test.Echo",
        "Say",
        new Marshaller<string>(System.Text.Encoding.UTF8.GetBytes, System.Text.Encoding.UTF8.GetString),
        new Marshaller<string>(System.Text.Encoding.UTF8.GetBytes, System.Text.Encoding.UTF8.GetString));

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, StatusCode.Unauthenticated)]
    [InlineData(HttpStatusCode.ServiceUnavailable, StatusCode.Unavailable)]
    [InlineData(HttpStatusCode.NotFound, StatusCode.Unimplemented)]
    public async Task A_non_200_response_fails_with_the_mapped_code(HttpStatusCode http, StatusCode expected)
    {
        using var channel = GrpcChannel.ForAddress(
            new Uri("http://proxy.invalid"),
            new GrpcChannelOptions { HttpHandler = new StubHandler(_ => new HttpResponseMessage(http)), DisposeHttpHandler = true });

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(Echo, "hi"));

        Assert.Equal(expected, error.StatusCode);
    }

    [Fact]
    public async Task The_request_is_an_HTTP2_POST_with_the_gRPC_headers()
    {
        HttpRequestMessage? seen = null;
        using var channel = GrpcChannel.ForAddress(
            new Uri("http://server.invalid"),
            new GrpcChannelOptions
            {
                HttpHandler = new StubHandler(request =>
                {
                    seen = request;
                    return new HttpResponseMessage(HttpStatusCode.Forbidden);
                }),
                DisposeHttpHandler = true,
            });

        await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(Echo, "hi", new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(5))));

        Assert.NotNull(seen);
        Assert.Equal(HttpMethod.Post, seen.Method);
        Assert.Equal("/test.Echo/Say", seen.RequestUri!.AbsolutePath);
        Assert.Equal(HttpVersion.Version20, seen.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, seen.VersionPolicy);
        Assert.Equal("trailers", Assert.Single(seen.Headers.GetValues("te")));
        Assert.Equal("application/grpc", seen.Content!.Headers.ContentType!.MediaType);
        Assert.Matches("^[0-9]{1,8}[HMSmun]$", Assert.Single(seen.Headers.GetValues("grpc-timeout")));
    }

    [Fact]
    public async Task A_deadline_already_passed_fails_with_DeadlineExceeded_without_sending()
    {
        var sent = false;
        using var channel = GrpcChannel.ForAddress(
            new Uri("http://server.invalid"),
            new GrpcChannelOptions
            {
                HttpHandler = new StubHandler(_ =>
                {
                    sent = true;
                    return new HttpResponseMessage(HttpStatusCode.OK);
                }),
                DisposeHttpHandler = true,
            });

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(Echo, "hi", new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1))));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.False(sent);
    }

    [Fact]
    public async Task A_200_response_that_is_not_gRPC_fails_with_Internal()
    {
        using var channel = GrpcChannel.ForAddress(
            new Uri("http://server.invalid"),
            new GrpcChannelOptions
            {
                HttpHandler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html/>") }),
                DisposeHttpHandler = true,
            });

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(Echo, "hi"));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(respond(request));
    }
}
