using System.Text.Json.Nodes;
using MeshBridge.Controller.Caching;
using MeshBridge.Controller.Tests.Integration;
using MeshBridge.Kubernetes.Caching;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Transform.Model;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Tests.Caching;

/// <summary>ClusterState's informers on the seed lab follow the mesh facts as they change through the API.</summary>
public sealed class ClusterStateFactsTests
{
    [Fact]
    public async Task ClusterState_reports_a_new_trust_domain_revision_and_namespace_selection_after_API_changes()
    {
        await using var lab = await ControllerLab.StartAsync();
        using var client = lab.NewMeshBridgeClient();
        var state = new ClusterState(client, new ControllerOptions { NamespaceSelector = LabelSelector.Parse("meshbridge.io/enabled in (yes)") });
        using var stop = new CancellationTokenSource();
        var informers = state.RunAsync(stop.Token);
        await state.WaitForSyncAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(state.HasSynced);
        Assert.True(state.IsNicIngressClass("nginx"));
        Assert.True(state.IsNicIngressClass("nginx-sidecar"));
        Assert.False(state.IsNicIngressClass("missing"));
        Assert.Equal(new MeshConfigFacts("cluster.local", "istio-system/istio", null), state.MeshConfig(null));
        Assert.Null(state.IstioRevisionOf("nginx-ingress"));
        Assert.Null(state.IstioRevisionOf("demo-meshed"));
        Assert.False(state.NamespaceSelected("demo-meshed"));

        await MergePatchAsync(lab.Client, ResourceTypes.ConfigMaps, "istio-system", "istio", """{"data":{"mesh":"trustDomain: corp.example\n"}}""");
        await MergePatchAsync(lab.Client, ResourceTypes.Namespaces, null, "nginx-ingress", """{"metadata":{"labels":{"istio.io/rev":"canary"}}}""");
        await MergePatchAsync(lab.Client, ResourceTypes.Namespaces, null, "demo-meshed", """{"metadata":{"labels":{"meshbridge.io/enabled":"yes"}}}""");

        await WhenAsync(state.IstioConfigMaps, () => state.TrustDomain(null) == "corp.example", "the trust domain follows the istio ConfigMap");
        await WhenAsync(state.Namespaces, () => state.IstioRevisionOf("nginx-ingress") == "canary", "the revision follows the namespace label");
        await WhenAsync(state.Namespaces, () => state.NamespaceSelected("demo-meshed"), "the labelled namespace is selected");
        Assert.Equal("canary", state.EffectiveIstioRevision("nginx-ingress"));
        Assert.Equal("corp.example", state.TrustDomain("canary"));

        await lab.Client.CreateAsync(ResourceTypes.ConfigMaps, "istio-system", JsonNode.Parse("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"istio-canary","namespace":"istio-system"},"data":{"mesh":"trustDomain: [broken"}}
            """)!.AsObject());

        await WhenAsync(state.IstioConfigMaps, () => state.MeshConfig("canary").ConfigMap == "istio-system/istio-canary", "the revision's own ConfigMap is read");
        var canary = state.MeshConfig("canary");
        Assert.Equal("cluster.local", canary.TrustDomain);
        Assert.StartsWith("ConfigMap istio-system/istio-canary, data.mesh: not valid YAML", canary.Problem, StringComparison.Ordinal);
        Assert.Equal("corp.example", state.TrustDomain(null));

        await stop.CancelAsync();
        await informers.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_explicit_revision_flag_wins_over_the_namespace_label()
    {
        await using var lab = await ControllerLab.StartAsync();
        await MergePatchAsync(lab.Client, ResourceTypes.Namespaces, null, "nginx-ingress", """{"metadata":{"labels":{"istio.io/rev":"canary"}}}""");
        using var client = lab.NewMeshBridgeClient();
        var flagged = new ClusterState(client, new ControllerOptions { IstioRevision = "stable", IstioNamespace = "istio-system" });
        using var stop = new CancellationTokenSource();
        var informers = flagged.RunAsync(stop.Token);
        await flagged.WaitForSyncAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("canary", flagged.IstioRevisionOf("nginx-ingress"));
        Assert.Equal("stable", flagged.EffectiveIstioRevision("nginx-ingress"));
        Assert.True(flagged.NamespaceSelected("demo-meshed"));

        await stop.CancelAsync();
        await informers.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static Task MergePatchAsync(KubernetesApi client, ResourceType type, string? ns, string name, string patch) =>
        client.PatchAsync(type, ns, name, new V1Patch(JsonNode.Parse(patch)!, PatchType.MergePatch));

    /// <summary>Awaits a condition, re-checked on every change the informer delivers (no polling), for at most 10 s.</summary>
    private static async Task WhenAsync<T>(Informer<T> informer, Func<bool> condition, string what)
        where T : KubernetesObject
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        informer.AddHandler(new OnChange<T>(() =>
        {
            if (condition())
            {
                done.TrySetResult();
            }
        }));
        if (condition())
        {
            return;
        }

        try
        {
            await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"timed out waiting until {what}");
        }
    }

    private sealed class OnChange<T>(Action changed) : IInformerHandler<T>
    {
        public void OnAdd(T obj) => changed();

        public void OnUpdate(T oldObj, T newObj) => changed();

        public void OnDelete(T obj) => changed();
    }
}
