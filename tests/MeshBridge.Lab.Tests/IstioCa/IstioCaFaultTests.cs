using MeshBridge.Certificates;
using MeshBridge.Grpc;
using MeshBridge.Lab.IstioCa;

namespace MeshBridge.Lab.Tests.IstioCa;

/// <summary>Each injected fault, seen from MeshBridge's client the way the certificate controller would see it.</summary>
public sealed class IstioCaFaultTests : IAsyncLifetime
{
    private LabCa _lab = null!;

    public async Task InitializeAsync() => _lab = await LabCa.StartAsync();

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task Unavailable_answers_Unavailable_until_cleared()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);
        var token = await _lab.TokenAsync();

        _lab.Ca.Faults.SetUnavailable(true);
        var error = await Assert.ThrowsAsync<RpcException>(() => _lab.CallAsync(token, csr.Pem, 3600));
        _lab.Ca.Faults.Clear();
        var response = await _lab.CallAsync(token, csr.Pem, 3600);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(2, response.CertChain.Count);
    }

    [Fact]
    public async Task Slow_makes_a_client_deadline_expire_with_DeadlineExceeded()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);
        var token = await _lab.TokenAsync();
        _lab.Ca.Faults.SetSlow(TimeSpan.FromMinutes(5));

        var error = await Assert.ThrowsAsync<RpcException>(() => _lab.CallAsync(token, csr.Pem, 3600, DateTime.UtcNow.AddMilliseconds(300)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(0, _lab.Ca.IssuedCount(_lab.WebId));
    }

    [Fact]
    public async Task Slow_answers_once_the_delay_has_passed_on_the_CA_clock()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var lab = await LabCa.StartAsync(new IstioCaOptions { Time = clock });
        using var csr = CertificateSigningRequest.Create(lab.WebId);
        var token = await lab.TokenAsync();
        lab.Ca.Faults.SetSlow(TimeSpan.FromSeconds(30));

        var call = lab.CallAsync(token, csr.Pem, 3600);
        await clock.WhenArmedTimersAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        var answeredEarly = call.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(30));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(answeredEarly);
        Assert.Equal(2, response.CertChain.Count);
        Assert.Equal(1, lab.Ca.IssuedCount(lab.WebId));
    }

    [Fact]
    public async Task Slow_stops_waiting_when_the_client_gives_up()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var lab = await LabCa.StartAsync(new IstioCaOptions { Time = clock });
        using var csr = CertificateSigningRequest.Create(lab.WebId);
        var token = await lab.TokenAsync();
        lab.Ca.Faults.SetSlow(TimeSpan.FromMinutes(5));

        var error = await Assert.ThrowsAsync<RpcException>(() => lab.CallAsync(token, csr.Pem, 3600, DateTime.UtcNow.AddMilliseconds(300)));

        // The delay's timer goes away when the reset stream cancels the request; polled, since nothing signals it.
        await WhenAsync(() => clock.ArmedTimers == 0);
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(0, lab.Ca.IssuedCount(lab.WebId));
    }

    [Fact]
    public async Task WrongRoot_yields_a_chain_ChainVerifier_rejects_against_the_published_root()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);
        _lab.Ca.Faults.SetWrongRoot(true);

        var response = await _lab.CallAsync(await _lab.TokenAsync(), csr.Pem, 3600);

        Assert.NotEqual(_lab.Ca.RootCertificatePem, response.CertChain[^1]);
        Assert.Throws<CertificateVerificationException>(() => new ChainVerifier(TimeProvider.System).Verify([.. response.CertChain], csr, _lab.Ca.RootCertificatePem));
    }

    [Fact]
    public async Task WrongIdentity_issues_another_SAN_that_ChainVerifier_rejects()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);
        var other = _lab.Ca.SpiffeId(LabCa.Namespace, LabCa.Other);
        _lab.Ca.Faults.SetWrongIdentity(other);

        var response = await _lab.CallAsync(await _lab.TokenAsync(), csr.Pem, 3600);

        using var chain = IssuedChain.Parse([.. response.CertChain]);
        var san = chain.Leaf.Extensions["2.5.29.17"]!.Format(false);
        Assert.Contains(other, san, StringComparison.Ordinal);
        Assert.DoesNotContain(_lab.WebId, san, StringComparison.Ordinal);
        Assert.Throws<CertificateVerificationException>(() => new ChainVerifier(TimeProvider.System).Verify(chain, csr, _lab.Ca.RootCertificatePem));
    }

    [Fact]
    public async Task ShortLifetime_caps_NotAfter()
    {
        using var csr = CertificateSigningRequest.Create(_lab.WebId);
        _lab.Ca.Faults.SetShortLifetime(TimeSpan.FromMinutes(5));

        var response = await _lab.CallAsync(await _lab.TokenAsync(), csr.Pem, 3600);

        var verified = new ChainVerifier(TimeProvider.System).Verify([.. response.CertChain], csr, _lab.Ca.RootCertificatePem);
        LabCa.AssertAbout(TimeSpan.FromMinutes(5) + TimeSpan.FromMinutes(2), verified.NotAfter - verified.NotBefore);
    }

    private static async Task WhenAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }
}
