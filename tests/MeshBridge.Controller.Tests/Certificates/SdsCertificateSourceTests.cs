using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using MeshBridge.Certificates.Sds;
using MeshBridge.Controller.Certificates;
using MeshBridge.Transform;

namespace MeshBridge.Controller.Tests.Certificates;

/// <summary>
/// The <c>sds</c> source's own logic over streams the test drives: what it asks for, how pushes become the current
/// certificate, what it refuses, and how it reconnects. The SDS client under it is judged by grpc-js elsewhere.
/// </summary>
public sealed class SdsCertificateSourceTests : IDisposable
{
    private static readonly MeshIdentity Nic = new(NicIdentity.Default, "cluster.local");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly X509Certificate2 root = TestRoots.Root("cluster.local");

    public void Dispose() => root.Dispose();

    /// <summary>What istio-agent pushes: the chain with the root appended, a key, the bundle.</summary>
    private SdsSecrets Secrets(string spiffeId, string version, X509Certificate2? signer = null)
    {
        var issuer = signer ?? root;
        var (crt, key) = TestRoots.Leaf(issuer, spiffeId);
        return new SdsSecrets(crt + issuer.ExportCertificatePem(), key, root.ExportCertificatePem(), version);
    }

    /// <summary>Streams the test feeds: each open is a new channel; completing one with an error breaks that stream.</summary>
    private sealed class Streams
    {
        private readonly Channel<(SdsRequest Request, Channel<SdsSecrets> Pushes)> opened = Channel.CreateUnbounded<(SdsRequest, Channel<SdsSecrets>)>();

        public int Opens { get; private set; }

        public async IAsyncEnumerable<SdsSecrets> WatchAsync(SdsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var pushes = Channel.CreateUnbounded<SdsSecrets>();
            Opens++;
            await opened.Writer.WriteAsync((request, pushes), cancellationToken);
            await foreach (var secrets in pushes.Reader.ReadAllAsync(cancellationToken))
            {
                yield return secrets;
            }
        }

        public async Task<(SdsRequest Request, Channel<SdsSecrets> Pushes)> NextAsync() => await opened.Reader.ReadAsync().AsTask().WaitAsync(Patience);
    }

    private static SdsSourceOptions Options(SdsServerKind server = SdsServerKind.IstioAgent) => new()
    {
        SocketPath = "/run/test/sds.sock",
        Server = server,
        FirstCertificateWait = TimeSpan.FromSeconds(5),
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(40),
    };

    [Fact]
    public async Task The_first_push_is_the_certificate_and_later_pushes_replace_it_and_say_so()
    {
        var streams = new Streams();
        await using var source = new SdsCertificateSource(Options(), TimeProvider.System, streams.WatchAsync);
        var updated = Channel.CreateUnbounded<MeshIdentity>();
        source.Updated += identity => updated.Writer.TryWrite(identity);

        var asking = source.GetAsync(Nic, CancellationToken.None);
        var (request, pushes) = await streams.NextAsync();
        Assert.Equal(("default", "ROOTCA"), (request.CertificateResource, request.RootResource));
        Assert.NotEmpty(request.NodeId);
        var first = Secrets(Nic.SpiffeId, "1");
        await pushes.Writer.WriteAsync(first);
        var certificate = await asking.WaitAsync(Patience);

        Assert.NotNull(certificate);
        Assert.Equal(first.PrivateKeyPem, certificate.PrivateKeyPem);
        Assert.DoesNotContain(root.ExportCertificatePem().Trim(), certificate.CertificateChainPem, StringComparison.Ordinal);
        Assert.Equal(root.ExportCertificatePem().Trim(), certificate.RootBundlePem.Trim());
        Assert.Equal(Nic, await updated.Reader.ReadAsync().AsTask().WaitAsync(Patience));

        var rotated = Secrets(Nic.SpiffeId, "2");
        await pushes.Writer.WriteAsync(rotated);
        Assert.Equal(Nic, await updated.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(rotated.PrivateKeyPem, (await source.GetAsync(Nic, CancellationToken.None))!.PrivateKeyPem);
        Assert.Equal(1, streams.Opens);
        Assert.Null(source.Trouble(Nic));
    }

    [Fact]
    public async Task A_push_for_another_identity_or_from_another_root_is_refused_and_the_current_one_kept()
    {
        var streams = new Streams();
        await using var source = new SdsCertificateSource(Options(), TimeProvider.System, streams.WatchAsync);
        var asking = source.GetAsync(Nic, CancellationToken.None);
        var (_, pushes) = await streams.NextAsync();
        var good = Secrets(Nic.SpiffeId, "1");
        await pushes.Writer.WriteAsync(good);
        await asking.WaitAsync(Patience);

        var failures = Channel.CreateUnbounded<Exception>();
        source.Failed += (_, e) => failures.Writer.TryWrite(e);
        await pushes.Writer.WriteAsync(Secrets("spiffe://cluster.local/ns/meshbridge/sa/meshbridge", "2"));
        var refused = await failures.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Contains("serves spiffe://cluster.local/ns/meshbridge/sa/meshbridge, not " + Nic.SpiffeId, refused.Message, StringComparison.Ordinal);
        Assert.Contains("istio-agent serves only its own pod's identity", refused.Message, StringComparison.Ordinal);

        using var otherRoot = TestRoots.Root("elsewhere");
        await pushes.Writer.WriteAsync(Secrets(Nic.SpiffeId, "3", otherRoot));
        Assert.Contains("does not chain to the mesh root", (await failures.Reader.ReadAsync().AsTask().WaitAsync(Patience)).Message, StringComparison.Ordinal);

        Assert.Equal(good.PrivateKeyPem, (await source.GetAsync(Nic, CancellationToken.None))!.PrivateKeyPem);
        var trouble = source.Trouble(Nic);
        Assert.NotNull(trouble);
        Assert.Equal(2, trouble.Failures);
    }

    [Fact]
    public async Task A_broken_stream_is_reopened_while_the_current_certificate_serves()
    {
        var streams = new Streams();
        await using var source = new SdsCertificateSource(Options(), TimeProvider.System, streams.WatchAsync);
        var asking = source.GetAsync(Nic, CancellationToken.None);
        var (_, pushes) = await streams.NextAsync();
        var first = Secrets(Nic.SpiffeId, "1");
        await pushes.Writer.WriteAsync(first);
        await asking.WaitAsync(Patience);

        pushes.Writer.Complete(new SdsException(SdsFailure.Refused, "the SDS server ended the stream (Unavailable: agent restarting)"));
        var (_, reopened) = await streams.NextAsync();
        Assert.Equal(first.PrivateKeyPem, (await source.GetAsync(Nic, CancellationToken.None))!.PrivateKeyPem);
        Assert.Contains("agent restarting", source.Trouble(Nic)!.LastError.Message, StringComparison.Ordinal);

        var second = Secrets(Nic.SpiffeId, "1");
        await reopened.Writer.WriteAsync(second);
        await EventuallyAsync(async () => (await source.GetAsync(Nic, CancellationToken.None))!.PrivateKeyPem == second.PrivateKeyPem);
        Assert.Null(source.Trouble(Nic));
        Assert.Equal(2, streams.Opens);
    }

    [Fact]
    public async Task Before_any_certificate_a_failing_server_surfaces_its_reason_and_an_idle_one_a_timeout()
    {
        var failing = new SdsCertificateSource(Options(), TimeProvider.System, (_, _) => throw new SdsException(SdsFailure.SocketMissing, "the SDS server at /run/test/sds.sock does not exist"));
        await using (failing)
        {
            var error = await Assert.ThrowsAsync<CertificateSourceException>(() => failing.GetAsync(Nic, CancellationToken.None)).WaitAsync(Patience);
            Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
            Assert.Contains(Nic.SpiffeId, error.Message, StringComparison.Ordinal);
        }

        var streams = new Streams();
        await using var idle = new SdsCertificateSource(Options() with { FirstCertificateWait = TimeSpan.FromMilliseconds(200) }, TimeProvider.System, streams.WatchAsync);
        var timeout = await Assert.ThrowsAsync<CertificateSourceException>(() => idle.GetAsync(Nic, CancellationToken.None)).WaitAsync(Patience);
        Assert.Contains("sent no certificate", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_SPIRE_agent_is_asked_for_the_identity_and_its_trust_domain_by_name()
    {
        var streams = new Streams();
        await using var source = new SdsCertificateSource(Options(SdsServerKind.Spire), TimeProvider.System, streams.WatchAsync);
        var identity = Nic with { TrustDomain = "mesh.example" };
        var asking = source.GetAsync(identity, CancellationToken.None);
        var (request, pushes) = await streams.NextAsync();

        Assert.Equal("spiffe://mesh.example/ns/nginx-ingress/sa/nginx-ingress", request.CertificateResource);
        Assert.Equal("spiffe://mesh.example", request.RootResource);
        await pushes.Writer.WriteAsync(Secrets(identity.SpiffeId, "1"));
        Assert.NotNull(await asking.WaitAsync(Patience));
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }
}
