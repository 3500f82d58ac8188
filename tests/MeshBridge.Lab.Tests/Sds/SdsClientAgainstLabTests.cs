using MeshBridge.Certificates.Sds;
using MeshBridge.Lab.Sds;

namespace MeshBridge.Lab.Tests.Sds;

/// <summary>
/// MeshBridge's own SDS client on the lab SDS server: the pairing the controller's tests and demos use. Both sides are
/// ours, so this only shows they agree; grpc-js judges each (LabSdsServerTests here, SdsWatchTests for the client).
/// </summary>
public sealed class SdsClientAgainstLabTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(LabSdsFlavour.IstioAgent)]
    [InlineData(LabSdsFlavour.Spire)]
    public async Task A_watch_sees_each_rotation_and_root_replacement(LabSdsFlavour flavour)
    {
        await using var server = await LabSdsServer.StartAsync(new LabSdsOptions { Flavour = flavour });
        await using var watch = new SdsClient(TimeProvider.System).WatchAsync(new SdsRequest { SocketPath = server.SocketPath, Timeout = Wait }).GetAsyncEnumerator();

        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal((server.CertificateChainPem, "1"), (watch.Current.CertificateChainPem, watch.Current.CertificateVersion));

        await server.RotateAsync().WaitAsync(Wait);
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal((server.CertificateChainPem, "2"), (watch.Current.CertificateChainPem, watch.Current.CertificateVersion));

        await server.ReplaceRootAsync().WaitAsync(Wait);
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal((server.RootCertificatePem, "3"), (watch.Current.RootBundlePem, watch.Current.RootVersion));
        await server.WaitForAckAsync(a => a.Version == "3", Wait);
        Assert.Equal(0, server.NackCount);
    }

    [Fact]
    public async Task A_server_shutting_down_ends_the_watch_as_StreamEnded()
    {
        var server = await LabSdsServer.StartAsync();
        await using var watch = new SdsClient(TimeProvider.System).WatchAsync(new SdsRequest { SocketPath = server.SocketPath, Timeout = Wait }).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Wait));

        await server.DisposeAsync();

        var e = await Assert.ThrowsAsync<SdsException>(async () => await watch.MoveNextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(SdsFailure.StreamEnded, e.Failure);
    }
}
