namespace MeshBridge.Lab.ApiServer;

public enum WatchEventKind
{
    Added,
    Modified,
    Deleted,
}
