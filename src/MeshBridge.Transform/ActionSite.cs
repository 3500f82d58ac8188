namespace MeshBridge.Transform;

/// <summary>
/// Where an action sits: <paramref name="RecordKey"/> names it stably for the applied record
/// (<c>&lt;path&gt;|matches[0].splits[1]</c>), <paramref name="FieldPath"/> is the JSON path for diagnostics.
/// </summary>
internal readonly record struct ActionSite(string RecordKey, string FieldPath);
