using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// A non-apply write with its ownership recorded: <see cref="Object"/> is ready to store, its
/// <c>metadata.managedFields</c> already set to <see cref="ManagedFields"/> (or removed when there are none).
/// </summary>
public sealed record UpdateOutcome(JsonObject Object, IReadOnlyList<ManagedFieldsEntry> ManagedFields);
