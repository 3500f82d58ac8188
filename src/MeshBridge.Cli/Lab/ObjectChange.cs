namespace MeshBridge.Cli.Lab;

/// <summary>One object that differs between two snapshots, with the unified diff of its YAML.</summary>
internal sealed record ObjectChange(ObjectKey Key, ObjectChangeKind Kind, IReadOnlyList<string> Diff);
