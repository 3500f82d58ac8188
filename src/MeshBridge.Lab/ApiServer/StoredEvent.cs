using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer;

/// <summary>One persisted change: what a watch replays from history or delivers live.</summary>
public sealed record StoredEvent(WatchEventKind Kind, StoreKey Key, long ResourceVersion, JsonObject Object)
{
    public string TypeName => Kind switch
    {
        WatchEventKind.Added => "ADDED",
        WatchEventKind.Modified => "MODIFIED",
        _ => "DELETED",
    };
}
