namespace MeshBridge.Cli.Lab;

/// <summary>A Warning event MeshBridge recorded: its reason, the object it is about, and its note.</summary>
internal sealed record RecordedWarning(string Reason, ObjectKey Regarding, string Note);
