using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Caching;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Kubernetes.Tests.Lab;
using MeshBridge.Lab.ApiServer;
using static MeshBridge.Kubernetes.Tests.Lab.Objects;

namespace MeshBridge.Kubernetes.Tests.Caching;

public sealed class InformerTests
{
    private static readonly ResourceType ConfigMaps = ResourceTypes.ConfigMaps;

    [Fact]
    public async Task The_informer_is_ready_after_its_first_list_and_indexes_by_namespace()
    {
        await using var lab = await LabConnection.StartAsync();
        await lab.Client.CreateAsync(ResourceTypes.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "team-a" } });
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));
        await lab.Client.CreateAsync(ConfigMaps, "team-a", ConfigMap("b", "team-a"));
        var informer = new Informer<GenericObject>(lab.Client, ConfigMaps, KubernetesJsonContext.Default.GenericObject, new InformerOptions { PageSize = 1 });
        var handler = new RecordingHandler();
        informer.AddHandler(handler);
        using var stop = new CancellationTokenSource();

        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(informer.HasSynced);
        Assert.Equal(["b"], informer.List("team-a").Select(o => o.Metadata.Name));
        Assert.Equal(2, informer.List().Count);
        Assert.Equal("a", informer.Get("default", "a")!.Metadata.Name);
        Assert.Equal(["add a", "add b"], handler.Events.Order());
        await stop.CancelAsync();
        await running;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Managed_fields_are_dropped_from_the_cache_unless_asked_to_keep_them(bool strip)
    {
        await using var lab = await LabConnection.StartAsync();
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"), new WriteOptions { FieldManager = "someone" });
        var informer = new Informer<GenericObject>(lab.Client, ConfigMaps, KubernetesJsonContext.Default.GenericObject, new InformerOptions { StripManagedFields = strip });
        using var stop = new CancellationTokenSource();

        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.NotNull((await lab.Client.GetAsync(ConfigMaps, "default", "a"))["metadata"]!["managedFields"]);
        Assert.Equal(!strip, informer.Get("default", "a")!.Metadata.Extra?.ContainsKey("managedFields") == true);
        await stop.CancelAsync();
        await running;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_serialized_store_gives_each_reader_a_fresh_copy_of_the_same_object(bool serialized)
    {
        await using var lab = await LabConnection.StartAsync();
        var (informer, handler, stop, running) = await StartAsync(lab, new InformerOptions { StoreSerialized = serialized });
        var olds = new List<string?>();
        informer.AddHandler(new UpdateHandler((before, _) => olds.Add(before.Extra?["data"].GetProperty("value").GetString())));

        var created = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));
        created["data"]!["value"] = "2";
        var replaced = await lab.Client.ReplaceAsync(ConfigMaps, "default", "a", created);
        await Eventually.TrueAsync(() => handler.Events.Count == 2, "the add and the update arrived");

        var first = informer.Get("default", "a")!;
        var second = informer.Get("default", "a")!;
        Assert.Equal(!serialized, ReferenceEquals(first, second));
        Assert.Equal(replaced["metadata"]!["resourceVersion"]!.GetValue<string>(), first.Metadata.ResourceVersion);
        Assert.Equal("2", second.Extra!["data"].GetProperty("value").GetString());
        Assert.Equal(["1"], olds);
        Assert.Equal([("default", "a")], informer.Keys());
        Assert.Equal([("default", "a")], informer.Keys("default"));
        Assert.Empty(informer.Keys("elsewhere"));
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Changes_after_the_list_reach_the_cache_and_the_handlers_in_order()
    {
        await using var lab = await LabConnection.StartAsync();
        var (informer, handler, stop, running) = await StartAsync(lab);

        var created = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));
        created["data"]!["value"] = "2";
        await lab.Client.ReplaceAsync(ConfigMaps, "default", "a", created);
        await lab.Client.DeleteAsync(ConfigMaps, "default", "a");
        await Eventually.TrueAsync(() => handler.Events.Count == 3, "three events arrived");

        Assert.Equal(["add a", "update a", "delete a"], handler.Events);
        Assert.Null(informer.Get("default", "a"));
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_dropped_watch_is_resumed_from_the_last_version_without_a_relist()
    {
        await using var lab = await LabConnection.StartAsync();
        var (informer, handler, stop, running) = await StartAsync(lab);
        lab.Server.Faults.Add(new FaultRule { Verb = "watch", Resource = "configmaps", DropWatchAfterEvents = 1, Times = 1 });

        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("b"));
        await Eventually.TrueAsync(() => informer.Count == 2, "both objects are cached");

        Assert.Equal(1, informer.ListCount);
        Assert.True(lab.Server.Counters.Count("watch", "configmaps") >= 2);
        Assert.Equal(["add a", "add b"], handler.Events);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task After_410_Gone_the_informer_relists_and_reports_what_vanished_as_deleted()
    {
        await using var lab = await LabConnection.StartAsync();
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("kept"));
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("vanishes"));
        lab.Server.Faults.Add(new FaultRule { Verb = "watch", Resource = "configmaps", DropWatchAfterEvents = 0 });
        var (informer, handler, stop, running) = await StartAsync(lab);

        // While the informer cannot watch, an object goes and the history it would resume from is compacted away.
        await lab.Client.DeleteAsync(ConfigMaps, "default", "vanishes");
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("arrives"));
        lab.Server.Store.Compact();
        lab.Server.Faults.Clear();
        await Eventually.TrueAsync(() => informer.ListCount == 2 && informer.Count == 2, "the informer relisted");

        Assert.Contains("delete vanishes", handler.Events);
        Assert.Contains("add arrives", handler.Events);
        Assert.NotNull(informer.Get("default", "kept"));
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task An_API_outage_is_retried_with_backoff_until_the_list_succeeds()
    {
        await using var lab = await LabConnection.StartAsync(clientOptions: new KubernetesClientOptions { MaxRetries = 0 });
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));
        lab.Server.Faults.Add(new FaultRule { Verb = "list", Resource = "configmaps", StatusCode = 503, Times = 3 });

        var (informer, _, stop, running) = await StartAsync(lab, new InformerOptions { InitialBackoff = TimeSpan.FromMilliseconds(10) });

        Assert.Equal(4, lab.Server.Counters.Count("list", "configmaps"));
        Assert.NotNull(informer.Get("default", "a"));
        await stop.CancelAsync();
        await running;
    }

    private static async Task<(Informer<GenericObject>, RecordingHandler, CancellationTokenSource, Task)> StartAsync(LabConnection lab, InformerOptions? options = null)
    {
        var informer = new Informer<GenericObject>(lab.Client, ConfigMaps, KubernetesJsonContext.Default.GenericObject,
            (options ?? new InformerOptions()) with { Namespace = "default", InitialBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(200) });
        var handler = new RecordingHandler();
        informer.AddHandler(handler);
        var stop = new CancellationTokenSource();
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return (informer, handler, stop, running);
    }

    private sealed class UpdateHandler(Action<GenericObject, GenericObject> changed) : IInformerHandler<GenericObject>
    {
        public void OnAdd(GenericObject obj)
        {
        }

        public void OnUpdate(GenericObject oldObj, GenericObject newObj) => changed(oldObj, newObj);

        public void OnDelete(GenericObject obj)
        {
        }
    }
}
