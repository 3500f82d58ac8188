using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshBridge.Certificates;
using MeshBridge.Grpc;
using MeshBridge.Lab.IstioCa;

namespace MeshBridge.Lab.Tests.IstioCa;

/// <summary>istiod's rules (reference/istio.md §2) as MeshBridge's own gRPC client meets them.</summary>
public sealed class IstiodModeTests : IAsyncLifetime
{
    private LabCa _lab = null!;

    public async Task InitializeAsync() => _lab = await LabCa.StartAsync();

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task A_valid_token_gets_a_chain_that_ChainVerifier_accepts_against_the_published_root()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);

        var response = await _lab.CallAsync(await _lab.TokenAsync(), csr.Pem, 3600);

        var verified = new ChainVerifier(TimeProvider.System).Verify([.. response.CertChain], csr, _lab.Ca.RootCertificatePem);
        Assert.Equal(_lab.WebId, verified.SpiffeId);
        LabCa.AssertAbout(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(2), verified.NotAfter - verified.NotBefore);
        Assert.Equal(new Dictionary<string, int> { [_lab.WebId] = 1 }, _lab.Ca.IssuedCertificates);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-jwt")]
    public async Task A_missing_or_garbage_token_is_Unauthenticated(string? token)
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);

        var error = await Assert.ThrowsAsync<RpcException>(() => _lab.CallAsync(token, csr.Pem, 3600));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(LabIstioCa.AuthenticationFailure, error.Status.Detail);
        Assert.Empty(_lab.Ca.IssuedCertificates);
    }

    [Fact]
    public async Task A_token_for_the_API_server_audience_is_Unauthenticated()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);
        var token = await _lab.TokenAsync(audience: "https://kubernetes.default.svc.cluster.local");

        var error = await Assert.ThrowsAsync<RpcException>(() => _lab.CallAsync(token, csr.Pem, 3600));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task A_token_that_has_expired_on_the_API_server_clock_is_Unauthenticated()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);
        var token = await _lab.TokenAsync(expirationSeconds: 600);
        await _lab.CallAsync(token, csr.Pem, 3600);

        _lab.ApiClock.Advance(TimeSpan.FromMinutes(12));
        var error = await Assert.ThrowsAsync<RpcException>(() => _lab.CallAsync(token, csr.Pem, 3600));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(1, _lab.Ca.IssuedCount(_lab.WebId));
    }

    [Fact]
    public async Task A_TTL_over_the_max_is_InvalidArgument_and_not_clamped()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);

        var token = await _lab.TokenAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => _lab.CallAsync(token, csr.Pem, (long)TimeSpan.FromDays(91).TotalSeconds));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("CSR signing error (requested TTL 2184h0m0s is greater than the max allowed TTL 2160h0m0s)", error.Status.Detail);
    }

    [Fact]
    public async Task No_TTL_gets_the_24h_default()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);

        var response = await _lab.CallAsync(await _lab.TokenAsync(), csr.Pem, 0);

        using var chain = IssuedChain.Parse([.. response.CertChain]);
        LabCa.AssertAbout(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(2), chain.Leaf.NotAfter - chain.Leaf.NotBefore);
    }

    [Fact]
    public async Task A_CSR_whose_signature_does_not_verify_is_InvalidArgument()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);
        var der = Convert.FromBase64String(string.Concat(csr.Pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        der[^3] ^= 0x01;
        var tampered = $"-----BEGIN CERTIFICATE REQUEST-----\n{Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks)}\n-----END CERTIFICATE REQUEST-----\n";

        var token = await _lab.TokenAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => _lab.CallAsync(token, tampered, 3600));
        var garbage = await Assert.ThrowsAsync<RpcException>(() => _lab.CallAsync(token, "not a CSR", 3600));

        Assert.Equal((StatusCode.InvalidArgument, "CSR signing error (CSR signature verification error)"), (error.StatusCode, error.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "CSR signing error (CSR parsing error)"), (garbage.StatusCode, garbage.Status.Detail));
    }

    [Fact]
    public async Task A_given_root_signs_and_no_leaf_outlives_it()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("O=plugged-in cacerts", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var root = request.CreateSelfSigned(now.AddHours(-1), now.AddHours(3));
        await using var plugged = await LabCa.StartAsync(new IstioCaOptions { Root = root });
        using var csr = CertificateSigningRequest.Create(plugged.WebId);

        var response = await plugged.CallAsync(await plugged.TokenAsync(), csr.Pem, (long)TimeSpan.FromDays(30).TotalSeconds);

        Assert.Equal(root.ExportCertificatePem() + "\n", plugged.Ca.RootCertificatePem);
        var verified = new ChainVerifier(TimeProvider.System).Verify([.. response.CertChain], csr, root.ExportCertificatePem());
        Assert.Equal(new DateTimeOffset(root.NotAfter.ToUniversalTime()), verified.NotAfter);
    }

    [Fact]
    public async Task A_revision_adds_its_service_name_to_the_serving_certificate()
    {
        await using var revisioned = await LabCa.StartAsync(new IstioCaOptions { Revision = "1-30" });
        using var csr = CertificateSigningRequest.Create(revisioned.WebId);
        using var channel = GrpcChannel.ForAddress(revisioned.Ca.Address, new GrpcChannelOptions
        {
            RootCertificates = [revisioned.Ca.RootCertificate],
            ExpectedServerName = "istiod-1-30.istio-system.svc",
        });
        var headers = new Metadata { { "authorization", $"Bearer {await revisioned.TokenAsync()}" } };

        var response = await channel.UnaryAsync(LabCa.CreateCertificate, new() { Csr = csr.Pem, ValidityDuration = 3600 }, new CallOptions(headers));

        Assert.Equal(2, response.CertChain.Count);
        Assert.DoesNotContain("istiod-1-30.istio-system.svc", _lab.Ca.ServingNames);
    }
}
