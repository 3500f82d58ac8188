namespace MeshBridge.Kubernetes.Client;

/// <summary>As kubernetes-client's <c>k8s.WatchEventType</c>.</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Error,
    Bookmark,
}
