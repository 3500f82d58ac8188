using System.Text.Json.Nodes;
using MeshBridge.Controller.Operations;
using MeshBridge.Kubernetes.Client;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>Two hosted replicas with leader election against the lab: one leads and reconciles; the other takes over.</summary>
public sealed class ReplicaTests
{
    [Fact]
    public async Task Two_replicas_elect_one_leader_that_converges_and_the_other_takes_over_when_it_stops()
    {
        await using var lab = await ControllerLab.StartAsync();
        // Namespace meshbridge-system comes with the install (deploy/), as do the Lease rights the replicas need.
        var first = new HostedReplica(lab, "replica-a");
        var second = new HostedReplica(lab, "replica-b");

        first.Start();
        await WaitAsync(async () => (await LeaseHolderAsync(lab)) == "replica-a", "replica-a leads");
        second.Start();
        await WaitAsync(async () => await UseClusterIpAsync(lab) == true, "the leader meshes the sidecar VirtualServer");
        // The write is visible in the API before the controller has counted it: wait for the count, then compare.
        var metrics = string.Empty;
        await WaitAsync(async () => System.Text.RegularExpressions.Regex.IsMatch(
            metrics = await new HttpClient().GetStringAsync(new Uri(first.MetricsAddress!, "metrics")),
            """controller_runtime_reconcile_total\{controller="virtualserver",result="success"\} [1-9]"""), "the leader counts its reconciles");
        var standbyMetrics = await new HttpClient().GetStringAsync(new Uri(second.MetricsAddress!, "metrics"));

        await first.StopAsync();
        await WaitAsync(async () => (await LeaseHolderAsync(lab)) == "replica-b", "replica-b takes over");
        await lab.Client.PatchAsync(ResourceTypes.VirtualServers, "demo-meshed", "nic-meshed.example.com",
            new V1Patch(JsonNode.Parse("""{"metadata":{"annotations":{"meshbridge.io/mode":"none"}}}""")!, PatchType.MergePatch));
        await WaitAsync(async () => await UseClusterIpAsync(lab) is null, "the new leader reverts the VirtualServer");

        Assert.Matches("""controller_runtime_reconcile_total\{controller="virtualserver",result="success"\} [1-9]""", metrics);
        Assert.Matches("""meshbridge_writes_total\{resource="virtualservers",verb="patch"\} [1-9]""", metrics);
        Assert.DoesNotMatch("""meshbridge_writes_total\{[^}]*\} [1-9]""", standbyMetrics);
        await second.StopAsync();
    }

    private static async Task<string?> LeaseHolderAsync(ControllerLab lab) =>
        (await lab.Client.TryGetAsync(ResourceTypes.Leases, "meshbridge-system", "meshbridge-leader"))?["spec"]?["holderIdentity"]?.ToString();

    private static async Task<bool?> UseClusterIpAsync(ControllerLab lab) =>
        (await lab.Client.GetAsync(ResourceTypes.VirtualServers, "demo-meshed", "nic-meshed.example.com"))["spec"]!["upstreams"]![0]!["use-cluster-ip"]?.GetValue<bool>();

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
        }
    }

    private sealed class HostedReplica(ControllerLab lab, string identity)
    {
        private readonly CancellationTokenSource stop = new();
        private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task? running;

        public Uri? MetricsAddress { get; private set; }

        public void Start()
        {
            var client = lab.NewMeshBridgeClient();
            running = Task.Run(() => ControllerHost.RunAsync(client, new ControllerOptions(), new ControllerHostOptions
            {
                LeaderElect = true,
                Identity = identity,
                LeaseDuration = TimeSpan.FromSeconds(3),
                RenewDeadline = TimeSpan.FromSeconds(2),
                RetryPeriod = TimeSpan.FromMilliseconds(300),
                Operations = new OperationsServerOptions { MetricsBindAddress = "127.0.0.1:0", HealthProbeBindAddress = "127.0.0.1:0" },
            }, null, (metrics, _) =>
            {
                MetricsAddress = metrics;
                listening.TrySetResult();
            }, stop.Token));
            listening.Task.WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await running!.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
