namespace MeshBridge.Cli.Lab;

/// <summary>What a line of a diff does: kept, removed from the old text, or added in the new one.</summary>
internal enum LineEditKind
{
    Equal,
    Delete,
    Insert,
}
