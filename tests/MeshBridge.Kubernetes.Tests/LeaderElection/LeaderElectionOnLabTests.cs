using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.LeaderElection;
using MeshBridge.Kubernetes.Tests.Lab;

namespace MeshBridge.Kubernetes.Tests.LeaderElection;

/// <summary>Two replicas electing over a real Lease in the lab API server (resourceVersion conflicts included).</summary>
public sealed class LeaderElectionOnLabTests
{
    [Fact]
    public async Task Two_replicas_elect_one_leader_and_the_other_takes_over_when_it_stops_renewing()
    {
        await using var lab = await LabConnection.StartAsync();
        using var secondClient = lab.Connect();
        var first = new Replica("replica-a", new KubernetesLeaseClient(lab.Client), releaseOnCancel: false);
        var second = new Replica("replica-b", new KubernetesLeaseClient(secondClient), releaseOnCancel: false);

        first.Start();
        await Eventually.TrueAsync(() => first.Elector.IsLeader, "replica-a leads");
        second.Start();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var bothLed = second.Elector.IsLeader;
        var seenBySecond = second.Elector.GetLeader();
        await first.CrashAsync();
        await Eventually.TrueAsync(() => second.Elector.IsLeader, "replica-b takes over after the lease expires", TimeSpan.FromSeconds(30));

        var lease = await lab.Client.GetAsync(ResourceTypes.Leases, "default", "meshbridge-test");
        Assert.False(bothLed);
        Assert.Equal("replica-a", seenBySecond);
        Assert.Equal("replica-b", lease["spec"]!["holderIdentity"]!.ToString());
        Assert.Equal(1, lease["spec"]!["leaseTransitions"]!.GetValue<int>());
        await second.StopAsync();
    }

    [Fact]
    public async Task A_leader_that_releases_on_shutdown_hands_over_at_once()
    {
        await using var lab = await LabConnection.StartAsync();
        using var secondClient = lab.Connect();
        var first = new Replica("replica-a", new KubernetesLeaseClient(lab.Client), releaseOnCancel: true, leaseDuration: TimeSpan.FromSeconds(60));
        var second = new Replica("replica-b", new KubernetesLeaseClient(secondClient), releaseOnCancel: true, leaseDuration: TimeSpan.FromSeconds(60));
        first.Start();
        await Eventually.TrueAsync(() => first.Elector.IsLeader, "replica-a leads");
        second.Start();

        await first.StopAsync();
        await Eventually.TrueAsync(() => second.Elector.IsLeader, "replica-b leads well before the 60 s lease would expire", TimeSpan.FromSeconds(20));

        Assert.True(first.StoppedLeading);
        await second.StopAsync();
    }

    private sealed class Replica(string identity, ILeaseClient client, bool releaseOnCancel, TimeSpan? leaseDuration = null)
    {
        private readonly CancellationTokenSource stop = new();
        private Task? running;

        public LeaderElector Elector { get; } = new(
            client,
            new LeaderElectionOptions
            {
                Namespace = "default",
                Name = "meshbridge-test",
                Identity = identity,
                LeaseDuration = leaseDuration ?? TimeSpan.FromSeconds(2),
                RenewDeadline = TimeSpan.FromMilliseconds(1500),
                RetryPeriod = TimeSpan.FromMilliseconds(200),
                ReleaseOnCancel = releaseOnCancel,
            },
            new LeaderCallbacks
            {
                OnStartedLeading = token => Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default),
                OnStoppedLeading = () => { },
            },
            TimeProvider.System);

        public bool StoppedLeading => !Elector.IsLeader && running is { IsCompleted: true };

        public void Start() => running = Task.Run(() => Elector.RunAsync(stop.Token));

        /// <summary>Stops renewing without releasing, as a killed process would.</summary>
        public async Task CrashAsync() => await StopAsync();

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await running!.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }
}
