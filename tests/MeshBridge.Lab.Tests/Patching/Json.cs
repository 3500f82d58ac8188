using System.Text.Json.Nodes;

namespace MeshBridge.Lab.Tests.Patching;

/// <summary>Parsing and comparing JSON in the patching tests.</summary>
internal static class Json
{
    public static JsonNode Node(string json) => JsonNode.Parse(json) ?? throw new ArgumentException("the JSON is null", nameof(json));

    public static JsonObject Object(string json) => Node(json).AsObject();

    /// <summary>Structural equality (member order ignored), reported as both documents when it fails.</summary>
    public static void Equal(string expected, JsonNode? actual)
    {
        var wanted = JsonNode.Parse(expected);
        if (!JsonNode.DeepEquals(wanted, actual))
        {
            Assert.Equal(wanted?.ToJsonString() ?? "null", actual?.ToJsonString() ?? "null");
        }
    }
}
