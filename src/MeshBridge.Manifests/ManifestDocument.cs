using System.Text.Json.Nodes;

namespace MeshBridge.Manifests;

/// <summary>
/// One document of a manifest stream: where it came from (<c>file.yaml#2</c>, 1-based), its original text (so an
/// untouched document is written back byte for byte, comments included) and its JSON form (null when empty).
/// </summary>
public sealed record ManifestDocument(string Source, int Index, string Text, JsonNode? Node)
{
    public string Location => $"{Source}#{Index}";
}
