using System.Security.Cryptography.X509Certificates;
using MeshBridge.Certificates.IstioCa;
using MeshBridge.Certificates.Tests.Support;

namespace MeshBridge.Certificates.Tests.IstioCa;

/// <summary>Our client against a stand-in istiod made of grpc-js and the openssl CLI (tests/Shared/IstiodStandIn.cs).</summary>
public sealed class IstioCaClientTests
{
    private const string Nginx = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";
    private const string Other = "spiffe://cluster.local/ns/default/sa/default";
    private const string NginxToken = "token-for-nginx";
    private const string DefaultToken = "token-for-default";

    private static readonly Dictionary<string, string> Grants = new() { [NginxToken] = Nginx, [DefaultToken] = Other };

    [Fact]
    public async Task RequestAsync_AcceptedToken_ReturnsACertificateOpensslVerifiesAgainstTheMeshRoot()
    {
        await using var istiod = await IstiodStandIn.StartAsync(Grants);

        var certificate = await new IstioCaClient(TimeProvider.System).RequestAsync(Request(istiod) with { ClusterId = "Kubernetes" });

        Assert.Equal(Nginx, certificate.SpiffeId);
        Assert.Contains($"issued {Nginx} validity=86400 clusterid=Kubernetes", istiod.Lines);
        using var dir = new TempDirectory();
        dir.Write("tls.crt", certificate.CertificateChainPem);
        dir.Write("ca.crt", certificate.RootBundlePem);
        Assert.Contains("tls.crt: OK", await Openssl.RunAsync(dir.Path, "verify", "-CAfile", "ca.crt", "tls.crt"), StringComparison.Ordinal);
        using var leaf = X509Certificate2.CreateFromPem(certificate.CertificateChainPem, certificate.PrivateKeyPem);
        Assert.True(leaf.HasPrivateKey);
        Assert.True(certificate.NotAfter > DateTimeOffset.UtcNow.AddHours(23));
    }

    [Fact]
    public async Task RequestAsync_ServerNameTheCertificateDoesNotCarry_FailsWithATlsNameError()
    {
        await using var istiod = await IstiodStandIn.StartAsync(Grants);

        var e = await Assert.ThrowsAsync<IstioCaException>(() =>
            new IstioCaClient(TimeProvider.System).RequestAsync(Request(istiod) with { ServerName = "istiod.other-ns.svc" }));

        Assert.Equal(IstioCaFailure.TlsUntrusted, e.Failure);
        Assert.Contains("does not name 'istiod.other-ns.svc'", e.Message, StringComparison.Ordinal);
        Assert.Contains("istiod.istio-system.svc", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(istiod.Lines, l => l.StartsWith("issued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestAsync_RootThatDidNotSignTheServer_FailsAsUntrusted()
    {
        await using var istiod = await IstiodStandIn.StartAsync(Grants);

        var e = await Assert.ThrowsAsync<IstioCaException>(() =>
            new IstioCaClient(TimeProvider.System).RequestAsync(Request(istiod) with { RootCertificatePem = istiod.OtherRootPem }));

        Assert.Equal(IstioCaFailure.TlsUntrusted, e.Failure);
        Assert.Contains("not trusted by the mesh root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAsync_TokenTheCaRejects_FailsUnauthenticatedWithTheAudienceHintAndWithoutTheToken()
    {
        await using var istiod = await IstiodStandIn.StartAsync(Grants);
        const string Wrong = "a-token-nobody-granted";

        var e = await Assert.ThrowsAsync<IstioCaException>(() =>
            new IstioCaClient(TimeProvider.System).RequestAsync(Request(istiod) with { BearerToken = Wrong }));

        Assert.Equal(IstioCaFailure.Unauthenticated, e.Failure);
        Assert.Contains("request authenticate failure", e.Message, StringComparison.Ordinal);
        Assert.Contains("audience istio-ca", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAsync_ValidityAboveTheCaMaximum_FailsInvalidArgument()
    {
        await using var istiod = await IstiodStandIn.StartAsync(Grants);

        var e = await Assert.ThrowsAsync<IstioCaException>(() =>
            new IstioCaClient(TimeProvider.System).RequestAsync(Request(istiod) with { Validity = TimeSpan.FromDays(91) }));

        Assert.Equal(IstioCaFailure.InvalidArgument, e.Failure);
        Assert.Contains("greater than the max allowed TTL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAsync_CaIssuesAnotherIdentity_FailsVerification()
    {
        await using var istiod = await IstiodStandIn.StartAsync(Grants);

        // istiod writes the identity it authenticated, not the CSR's: a token for another account shows up here.
        var e = await Assert.ThrowsAsync<IstioCaException>(() =>
            new IstioCaClient(TimeProvider.System).RequestAsync(Request(istiod) with { BearerToken = DefaultToken }));

        Assert.Equal(IstioCaFailure.Verification, e.Failure);
        Assert.Contains($"URI SAN {Other} is not the identity asked for {Nginx}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"issued {Other} validity=86400 clusterid=", istiod.Lines);
    }

    [Fact]
    public async Task RequestAsync_NothingListening_FailsUnreachable()
    {
        var port = FreePort();
        var request = new IstioCaRequest
        {
            Address = $"127.0.0.1:{port}",
            RootCertificatePem = TestRootPem(),
            ServerName = IstiodStandIn.ServerName,
            BearerToken = NginxToken,
            SpiffeId = Nginx,
        };

        var e = await Assert.ThrowsAsync<IstioCaException>(() => new IstioCaClient(TimeProvider.System).RequestAsync(request));

        Assert.Equal(IstioCaFailure.Unreachable, e.Failure);
        Assert.Contains($"the Istio CA at 127.0.0.1:{port} is unreachable", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("istiod.istio-system.svc")]
    [InlineData("https://istiod:15012")]
    [InlineData("istiod:0")]
    [InlineData(":15012")]
    public void ParseAddress_NotHostColonPort_Throws(string address) =>
        Assert.Throws<ArgumentException>(() => IstioCaClient.ParseAddress(address));

    [Fact]
    public void ParseAddress_Ipv6_StripsBrackets() =>
        Assert.Equal(("::1", 15012), IstioCaClient.ParseAddress("[::1]:15012"));

    [Fact]
    public void Request_ToString_HidesTheToken() =>
        Assert.DoesNotContain("secret-token", new IstioCaRequest { Address = "a:1", RootCertificatePem = "", BearerToken = "secret-token", SpiffeId = Nginx }.ToString(), StringComparison.Ordinal);

    private static IstioCaRequest Request(IstiodStandIn istiod) => new()
    {
        Address = istiod.Address,
        RootCertificatePem = istiod.RootPem,
        ServerName = IstiodStandIn.ServerName,
        BearerToken = NginxToken,
        SpiffeId = Nginx,
    };

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string TestRootPem()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new CertificateRequest("O=unused", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        return root.ExportCertificatePem();
    }
}
