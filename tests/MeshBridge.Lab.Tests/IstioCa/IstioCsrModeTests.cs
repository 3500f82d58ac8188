using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshBridge.Certificates;
using MeshBridge.Grpc;
using MeshBridge.Lab.IstioCa;

namespace MeshBridge.Lab.Tests.IstioCa;

/// <summary>cert-manager istio-csr's stricter rules (reference/istio.md §9), which MeshBridge's CSR must also pass.</summary>
public sealed class IstioCsrModeTests : IAsyncLifetime
{
    private LabCa _lab = null!;

    public async Task InitializeAsync() => _lab = await LabCa.StartAsync(new IstioCaOptions { Mode = IstioCaMode.IstioCsr });

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MeshBridges_own_CSR_is_signed_and_capped_at_one_hour(bool requestUsages)
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId, requestUsages);

        var response = await _lab.CallAsync(await _lab.TokenAsync(), csr.Pem, (long)TimeSpan.FromDays(7).TotalSeconds);

        var verified = new ChainVerifier(TimeProvider.System).Verify([.. response.CertChain], csr, _lab.Ca.RootCertificatePem);
        LabCa.AssertAbout(TimeSpan.FromHours(1), verified.NotAfter - verified.NotBefore);
    }

    [Fact]
    public async Task A_CSR_with_a_subject_CN_is_Unauthenticated() =>
        await AssertRefusedAsync(Csr(new X500DistinguishedName("CN=web"), names => names.AddUri(new Uri(_lab.WebId))));

    [Fact]
    public async Task A_CSR_with_a_DNS_SAN_is_Unauthenticated() =>
        await AssertRefusedAsync(Csr(new X500DistinguishedName(""), names =>
        {
            names.AddUri(new Uri(_lab.WebId));
            names.AddDnsName("web.mesh-apps.svc");
        }));

    [Fact]
    public async Task A_CSR_for_another_identity_is_Unauthenticated() =>
        await AssertRefusedAsync(CertificateSigningRequest.Create(_lab.Ca.SpiffeId(LabCa.Namespace, LabCa.Other)).Pem);

    [Fact]
    public async Task A_CSR_with_a_basic_constraints_extension_is_Unauthenticated() =>
        await AssertRefusedAsync(Csr(new X500DistinguishedName(""), names => names.AddUri(new Uri(_lab.WebId)), new X509BasicConstraintsExtension(false, false, 0, true)));

    [Fact]
    public async Task A_request_with_no_duration_fails_to_sign_with_Internal()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await _lab.CallAsync(await _lab.TokenAsync(), csr.Pem, 0));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("failed to sign certificate request", error.Status.Detail);
    }

    private async Task AssertRefusedAsync(string csrPem)
    {
        var token = await _lab.TokenAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => _lab.CallAsync(token, csrPem, 3600));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(LabIstioCa.AuthenticationFailure, error.Status.Detail);
        Assert.Empty(_lab.Ca.IssuedCertificates);
    }

    private static string Csr(X500DistinguishedName subject, Action<SubjectAlternativeNameBuilder> addNames, X509Extension? extra = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        addNames(names);
        request.CertificateExtensions.Add(names.Build(critical: true));
        if (extra is not null)
        {
            request.CertificateExtensions.Add(extra);
        }

        return request.CreateSigningRequestPem();
    }
}
