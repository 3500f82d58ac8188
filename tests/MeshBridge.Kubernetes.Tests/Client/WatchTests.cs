using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Tests.Lab;
using MeshBridge.Lab.ApiServer;
using static MeshBridge.Kubernetes.Tests.Lab.Objects;

namespace MeshBridge.Kubernetes.Tests.Client;

public sealed class WatchTests
{
    private static readonly ResourceType ConfigMaps = ResourceTypes.ConfigMaps;

    [Fact]
    public async Task A_watch_from_a_list_version_sees_later_changes_in_order_and_nothing_earlier()
    {
        await using var lab = await LabConnection.StartAsync();
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("before"));
        var list = await lab.Client.ListAsync(ConfigMaps, "default");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<(WatchEventType, string)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in lab.Client.WatchAsync(ConfigMaps, "default", new WatchOptions { ResourceVersion = list.ResourceVersion, AllowWatchBookmarks = false }, cancel.Token))
            {
                events.Add((e.Type, e.Object["metadata"]!["name"]!.ToString()));
                if (events.Count == 3)
                {
                    return;
                }
            }
        });

        var created = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("after"));
        created["data"]!["value"] = "2";
        await lab.Client.ReplaceAsync(ConfigMaps, "default", "after", created);
        await lab.Client.DeleteAsync(ConfigMaps, "default", "after");
        await watching;

        Assert.Equal([(WatchEventType.Added, "after"), (WatchEventType.Modified, "after"), (WatchEventType.Deleted, "after")], events);
    }

    [Fact]
    public async Task A_watch_from_a_compacted_version_gets_a_410_error_event()
    {
        await using var lab = await LabConnection.StartAsync();
        var first = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("b"));
        lab.Server.Store.Compact();

        var events = new List<WatchEvent>();
        await foreach (var e in lab.Client.WatchAsync(ConfigMaps, "default", new WatchOptions { ResourceVersion = first["metadata"]!["resourceVersion"]!.ToString() }))
        {
            events.Add(e);
        }

        var error = Assert.Single(events);
        Assert.Equal(WatchEventType.Error, error.Type);
        Assert.Equal(410, error.Object["code"]!.GetValue<int>());
        Assert.Equal("Expired", error.Object["reason"]!.ToString());
    }

    [Fact]
    public async Task Bookmarks_arrive_when_asked_for_and_carry_the_current_version()
    {
        await using var lab = await LabConnection.StartAsync(new LabApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        var list = await lab.Client.ListAsync(ConfigMaps, "default");
        await lab.Client.CreateAsync(ResourceTypes.Secrets, "default", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "other-kind" } });
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        WatchEvent? bookmark = null;
        await foreach (var e in lab.Client.WatchAsync(ConfigMaps, "default", new WatchOptions { ResourceVersion = list.ResourceVersion, AllowWatchBookmarks = true }, cancel.Token))
        {
            bookmark = e;
            break;
        }

        Assert.Equal(WatchEventType.Bookmark, bookmark!.Type);
        Assert.True(long.Parse(bookmark.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(list.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_server_timeout_ends_the_stream_cleanly()
    {
        await using var lab = await LabConnection.StartAsync();
        var started = DateTime.UtcNow;

        var count = 0;
        await foreach (var _ in lab.Client.WatchAsync(ConfigMaps, "default", new WatchOptions { ResourceVersion = "0", TimeoutSeconds = 1, AllowWatchBookmarks = false }))
        {
            count++;
        }

        Assert.Equal(0, count);
    }
}
