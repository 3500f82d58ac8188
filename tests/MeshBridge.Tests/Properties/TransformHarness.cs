using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Tests.Properties;

/// <summary>Runs the pure transform on JSON documents and returns JSON documents, in input order.</summary>
internal static class TransformHarness
{
    public static (List<JsonObject> Documents, TransformResult Result) Run(IEnumerable<JsonObject> documents, MeshMode? mode = null)
    {
        var list = documents.ToList();
        var servers = list.Where(d => Kind(d) == "VirtualServer").Select(d => d.Deserialize(ModelJsonContext.Default.VirtualServer)!).ToList();
        var routes = list.Where(d => Kind(d) == "VirtualServerRoute").Select(d => d.Deserialize(ModelJsonContext.Default.VirtualServerRoute)!).ToList();
        var result = MeshTransform.Apply(
            new TransformInput { VirtualServers = servers, VirtualServerRoutes = routes },
            new TransformOptions { ModeOverride = mode });
        var output = result.VirtualServers.Select(v => (JsonObject)JsonSerializer.SerializeToNode(v, ModelJsonContext.Default.VirtualServer)!)
            .Concat(result.VirtualServerRoutes.Select(r => (JsonObject)JsonSerializer.SerializeToNode(r, ModelJsonContext.Default.VirtualServerRoute)!))
            .ToList();
        return (output, result);
    }

    public static List<JsonObject> Canonical(IEnumerable<JsonObject> documents) =>
        documents.OrderBy(Kind, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Documents as text with object keys sorted: the typed models write keys in declaration order, and restoring a
    /// document's own order is the manifest layer's job (JsonOrder, covered by the golden tests).
    /// </summary>
    public static string Text(IEnumerable<JsonObject> documents) => string.Join("\n", Canonical(documents).Select(d => Sorted(d)!.ToJsonString()));

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject map => new JsonObject(map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Sorted)]),
        _ => node?.DeepClone(),
    };

    private static string? Kind(JsonObject document) => document["kind"]?.GetValue<string>();
}
