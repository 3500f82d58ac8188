using System.Text.Json.Nodes;

namespace MeshBridge.Manifests;

/// <summary>A document to write: the original text when MeshBridge left it alone, else the new JSON form.</summary>
public sealed record OutputDocument(JsonNode? Node, string? VerbatimText);
