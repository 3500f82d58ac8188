namespace MeshBridge.Cli.Lab;

internal enum ObjectChangeKind
{
    Created,
    Modified,
    Deleted,
}
