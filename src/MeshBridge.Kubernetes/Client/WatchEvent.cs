using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client;

/// <summary>One watch event; for <see cref="WatchEventType.Error"/> the object is the server's Status.</summary>
public sealed record WatchEvent(WatchEventType Type, JsonObject Object)
{
    public string? ResourceVersion => Object["metadata"]?["resourceVersion"]?.GetValue<string>();
}
