using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MeshBridge.Certificates.Sds;

namespace MeshBridge.Certificates.Tests.Sds;

/// <summary>
/// <see cref="SdsClient.WatchAsync"/> against the grpc-js stand-in (tests/Shared/SdsStandIn.cs), which pushes new
/// certificates, roots, undecodable resources and stream ends on demand and records every ACK and NACK it receives.
/// </summary>
public sealed class SdsWatchTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_pushed_certificate_is_yielded_again_with_its_version_and_acked_with_that_version_and_nonce()
    {
        await using var agent = await SdsStandIn.StartAsync();
        var time = new ManualTimeProvider();
        using var stop = new CancellationTokenSource();
        await using var watch = new SdsClient(time).WatchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait }, stop.Token).GetAsyncEnumerator();

        var first = await NextAsync(watch);
        Assert.Equal(agent.ChainPem, first.CertificateChainPem);
        Assert.Equal(("v1", "v2"), (first.CertificateVersion, first.RootVersion));

        // The timeout bounds the first item only: long after it, the watch still runs.
        time.Advance(TimeSpan.FromHours(1));
        await agent.PushCertificateAsync();
        var second = await NextAsync(watch);

        Assert.Equal(agent.ChainPem, second.CertificateChainPem);
        Assert.Equal(agent.KeyPem, second.PrivateKeyPem);
        Assert.NotEqual(first.CertificateChainPem, second.CertificateChainPem);
        Assert.Equal(first.RootBundlePem, second.RootBundlePem);
        Assert.Equal(("v3", "v2"), (second.CertificateVersion, second.RootVersion));
        var ack = Request(await agent.WaitForLinesAsync(l => l.Contains("\"nonce\":\"nonce-3\"", StringComparison.Ordinal), 1, Wait));
        Assert.Equal("v3", ack.GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, ack.GetProperty("error").ValueKind);
        Assert.Equal(["default", "ROOTCA"], ack.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task A_pushed_root_is_yielded_again_with_the_new_bundle()
    {
        await using var agent = await SdsStandIn.StartAsync();
        await using var watch = new SdsClient(TimeProvider.System).WatchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait }).GetAsyncEnumerator();
        var first = await NextAsync(watch);

        await agent.PushRootAsync();
        var second = await NextAsync(watch);

        Assert.Equal(agent.RootPem, second.RootBundlePem);
        Assert.NotEqual(first.RootBundlePem, second.RootBundlePem);
        Assert.Equal(first.CertificateChainPem, second.CertificateChainPem);
        Assert.Equal(("v1", "v3"), (second.CertificateVersion, second.RootVersion));
        var ack = Request(await agent.WaitForLinesAsync(l => l.Contains("\"nonce\":\"nonce-3\"", StringComparison.Ordinal), 1, Wait));
        Assert.Equal("v3", ack.GetProperty("version").GetString());
    }

    [Fact]
    public async Task An_undecodable_push_is_nacked_keeping_the_last_accepted_version_and_yields_nothing()
    {
        await using var agent = await SdsStandIn.StartAsync();
        await using var watch = new SdsClient(TimeProvider.System).WatchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait }).GetAsyncEnumerator();
        var first = await NextAsync(watch);

        await agent.PushCorruptAsync();
        var next = watch.MoveNextAsync().AsTask();

        var nack = Request(await agent.WaitForLinesAsync(l => l.Contains("\"nonce\":\"nonce-3\"", StringComparison.Ordinal), 1, Wait));
        Assert.Equal("v2", nack.GetProperty("version").GetString());
        Assert.Contains("not a Secret", nack.GetProperty("error").GetString(), StringComparison.Ordinal);

        // The stand-in then resends the unchanged certificate (nonce-4); accepted, but nothing new to yield.
        var resend = Request(await agent.WaitForLinesAsync(l => l.Contains("\"nonce\":\"nonce-4\"", StringComparison.Ordinal), 1, Wait));
        Assert.Equal("v4", resend.GetProperty("version").GetString());
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(next.IsCompleted, "the watch yielded for a NACKed or unchanged resource");

        await agent.PushCertificateAsync();
        Assert.True(await next.WaitAsync(Wait));
        Assert.Equal("v5", watch.Current.CertificateVersion);
        Assert.NotEqual(first.CertificateChainPem, watch.Current.CertificateChainPem);
    }

    [Theory]
    [InlineData(false, "OK")]
    [InlineData(true, "Unavailable")]
    public async Task A_stream_the_server_ends_after_a_yield_fails_as_StreamEnded_naming_the_status(bool fail, string status)
    {
        await using var agent = await SdsStandIn.StartAsync();
        await using var watch = new SdsClient(TimeProvider.System).WatchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait }).GetAsyncEnumerator();
        await NextAsync(watch);

        await (fail ? agent.FailStreamsAsync() : agent.EndStreamsAsync());
        var e = await Assert.ThrowsAsync<SdsException>(async () => await watch.MoveNextAsync().AsTask().WaitAsync(Wait));

        Assert.Equal(SdsFailure.StreamEnded, e.Failure);
        Assert.Contains(status, e.Message, StringComparison.Ordinal);
        Assert.Contains("reconnect", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_watch_ends_it_as_a_cancellation()
    {
        await using var agent = await SdsStandIn.StartAsync();
        using var stop = new CancellationTokenSource();
        await using var watch = new SdsClient(TimeProvider.System).WatchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait }, stop.Token).GetAsyncEnumerator();
        await NextAsync(watch);

        var next = watch.MoveNextAsync().AsTask();
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Wait));
    }

    [Theory]
    [InlineData("default", "ROOTCA")]
    [InlineData(SdsStandIn.Identity, "spiffe://cluster.local")]
    public async Task A_SPIRE_shaped_answer_with_a_SPIFFE_validator_and_a_PKCS8_key_decodes(string certificate, string root)
    {
        await using var agent = await SdsStandIn.StartAsync("spire");

        var secrets = await new SdsClient(TimeProvider.System).FetchAsync(
            new SdsRequest { SocketPath = agent.SocketPath, CertificateResource = certificate, RootResource = root, Timeout = Wait });

        Assert.Equal(agent.RootPem, secrets.RootBundlePem);
        Assert.Equal(agent.ChainPem, secrets.CertificateChainPem);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", secrets.PrivateKeyPem, StringComparison.Ordinal);
        using var leaf = X509Certificate2.CreateFromPem(secrets.CertificateChainPem, secrets.PrivateKeyPem);
        Assert.True(leaf.HasPrivateKey);
        Assert.Contains(agent.Lines, l => l == $"sent nonce-1 {certificate}" || l == $"sent nonce-2 {certificate}");
    }

    [Theory]
    [InlineData("example.org", false)]
    [InlineData("spiffe://cluster.local", true)]
    [InlineData("cluster.local", true)]
    public async Task With_several_trust_domains_the_one_asked_for_is_taken(string trustDomain, bool local)
    {
        await using var agent = await SdsStandIn.StartAsync("spire-federated");

        var secrets = await new SdsClient(TimeProvider.System).FetchAsync(new SdsRequest { SocketPath = agent.SocketPath, TrustDomain = trustDomain, Timeout = Wait });

        Assert.Equal(local ? agent.RootPem : agent.FederatedPem, secrets.RootBundlePem);
    }

    [Fact]
    public async Task With_several_trust_domains_and_none_asked_for_the_error_names_them()
    {
        await using var agent = await SdsStandIn.StartAsync("spire-federated");

        var e = await Assert.ThrowsAsync<SdsException>(() => new SdsClient(TimeProvider.System).FetchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait }));

        Assert.Equal(SdsFailure.Refused, e.Failure);
        Assert.Contains("'cluster.local', 'example.org'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trust_domain_that_is_not_there_is_refused_naming_those_present()
    {
        await using var agent = await SdsStandIn.StartAsync("spire");

        var e = await Assert.ThrowsAsync<SdsException>(() => new SdsClient(TimeProvider.System).FetchAsync(
            new SdsRequest { SocketPath = agent.SocketPath, TrustDomain = "other.example", Timeout = Wait }));

        Assert.Contains("'other.example'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'cluster.local'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_EC_PRIVATE_KEY_comes_through_as_well_as_PKCS8()
    {
        await using var agent = await SdsStandIn.StartAsync(ecPrivateKey: true);

        var secrets = await new SdsClient(TimeProvider.System).FetchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait });

        Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", secrets.PrivateKeyPem, StringComparison.Ordinal);
        using var leaf = X509Certificate2.CreateFromPem(secrets.CertificateChainPem, secrets.PrivateKeyPem);
        Assert.True(leaf.HasPrivateKey);
    }

    private static async Task<SdsSecrets> NextAsync(IAsyncEnumerator<SdsSecrets> watch)
    {
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Wait));
        return watch.Current;
    }

    private static JsonElement Request(IReadOnlyList<string> lines) =>
        JsonDocument.Parse(lines.Single(l => l.StartsWith("request ", StringComparison.Ordinal))["request ".Length..]).RootElement;
}
