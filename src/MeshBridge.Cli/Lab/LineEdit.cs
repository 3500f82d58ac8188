namespace MeshBridge.Cli.Lab;

/// <summary>One line of an edit script, with its 0-based index in the old and new texts (-1 where it has none).</summary>
internal readonly record struct LineEdit(LineEditKind Kind, string Text, int OldIndex, int NewIndex);
