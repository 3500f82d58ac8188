using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client;

/// <summary>A page of a list: items, the list's resourceVersion, and the continue token for the next page.</summary>
public sealed record ObjectList(IReadOnlyList<JsonObject> Items, string ResourceVersion, string? Continue);
