using System.Text.Json.Nodes;

namespace MeshBridge.Manifests;

/// <summary>
/// Gives a rewritten object the key order of the document it came from (new keys last), so a GitOps diff of
/// <c>meshbridge inject</c> output shows only what MeshBridge changed.
/// </summary>
public static class JsonOrder
{
    public static JsonNode? LikeOriginal(JsonNode? updated, JsonNode? original)
    {
        switch (updated, original)
        {
            case (JsonObject u, JsonObject o):
                var result = new JsonObject();
                foreach (var (key, value) in o)
                {
                    if (u.TryGetPropertyValue(key, out var newValue))
                    {
                        result[key] = LikeOriginal(newValue, value);
                    }
                }

                foreach (var (key, value) in u)
                {
                    if (!o.ContainsKey(key))
                    {
                        result[key] = value?.DeepClone();
                    }
                }

                return result;
            case (JsonArray u, JsonArray o):
                var array = new JsonArray();
                for (var i = 0; i < u.Count; i++)
                {
                    array.Add(LikeOriginal(u[i], i < o.Count ? o[i] : null));
                }

                return array;
            default:
                return updated?.DeepClone();
        }
    }
}
