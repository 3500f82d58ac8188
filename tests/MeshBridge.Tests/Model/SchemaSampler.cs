using System.Text.Json.Nodes;

namespace MeshBridge.Tests.Model;

/// <summary>
/// Builds a document that sets every property an openAPIV3Schema declares (one item per list, one entry per map),
/// with values of the declared type. Whatever the NIC CRD can hold, a sample holds.
/// </summary>
internal static class SchemaSampler
{
    public static JsonNode? Sample(JsonObject schema, string name = "value")
    {
        if (schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            return JsonValue.Create("25%");
        }

        if (schema["enum"] is JsonArray allowed && allowed.Count > 0)
        {
            return allowed[0]?.DeepClone();
        }

        return schema["type"]?.GetValue<string>() switch
        {
            "object" when schema["properties"] is JsonObject properties =>
                new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, Sample((JsonObject)p.Value!, p.Key)))),
            "object" when schema["additionalProperties"] is JsonObject additional =>
                new JsonObject { ["example-key"] = Sample(additional, name) },
            "object" => new JsonObject(),
            "array" => new JsonArray(schema["items"] is JsonObject items ? Sample(items, name) : JsonValue.Create("item")),
            "integer" => JsonValue.Create(7),
            "number" => JsonValue.Create(1.5),
            "boolean" => JsonValue.Create(true),
            _ => JsonValue.Create($"sample-{name}"),
        };
    }

    private static readonly HashSet<string> StringMaps = ["labels", "annotations", "subselector", "matchLabels"];

    /// <summary>
    /// Adds a field no schema declares to every structured object in the tree (not to string maps such as labels,
    /// where any key is already known), returning how many were added.
    /// </summary>
    public static int AddUnknownFields(JsonNode? node, string marker)
    {
        var added = 0;
        switch (node)
        {
            case JsonObject map when map.ContainsKey("example-key"):
                break;
            case JsonObject map:
                foreach (var (key, child) in map.ToList())
                {
                    added += StringMaps.Contains(key) ? 0 : AddUnknownFields(child, marker);
                }

                map[$"x-{marker}"] = new JsonObject { ["kept"] = new JsonArray(1, "two", true) };
                added++;
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    added += AddUnknownFields(item, marker);
                }

                break;
        }

        return added;
    }
}
