using System.Net;
using System.Net.Http.Headers;
using MeshBridge.Lab.IstioCa;

namespace MeshBridge.Lab.Tests.IstioCa;

/// <summary>
/// The lab CA's gRPC bytes as a plain HTTP/2 client sees them (grpc/doc/PROTOCOL-HTTP2.md): an early error is
/// Trailers-Only (status in the headers, no body, no trailers), and messages are percent-encoded.
/// </summary>
public sealed class GrpcWireTests : IAsyncLifetime
{
    private LabCa _lab = null!;

    public async Task InitializeAsync() => _lab = await LabCa.StartAsync();

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task An_unauthenticated_call_is_answered_Trailers_Only()
    {
        using var response = await PostAsync(LabIstioCa.CreateCertificatePath, "application/grpc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["16"], response.Headers.GetValues("grpc-status"));
        Assert.Equal(["request authenticate failure"], response.Headers.GetValues("grpc-message"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(response.TrailingHeaders);
    }

    [Fact]
    public async Task An_unknown_method_is_Unimplemented()
    {
        using var response = await PostAsync("/istio.v1.auth.IstioCertificateService/Nope", "application/grpc");

        Assert.Equal(["12"], response.Headers.GetValues("grpc-status"));
    }

    [Fact]
    public async Task A_request_that_is_not_gRPC_gets_HTTP_415()
    {
        using var response = await PostAsync(LabIstioCa.CreateCertificatePath, "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("request authenticate failure", "request authenticate failure")]
    [InlineData("100% sure", "100%25 sure")]
    [InlineData("naïve\nline", "na%C3%AFve%0Aline")]
    public void Messages_are_percent_encoded_as_UTF_8(string message, string expected) =>
        Assert.Equal(expected, GrpcServerFraming.PercentEncode(message));

    private async Task<HttpResponseMessage> PostAsync(string path, string contentType)
    {
        var root = _lab.Ca.RootCertificate;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.TargetHost = LabIstioCa.ServerName;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
            chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
            return certificate is System.Security.Cryptography.X509Certificates.X509Certificate2 leaf && chain.Build(leaf);
        };
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_lab.Ca.Address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
    }
}
