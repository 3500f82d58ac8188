using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Tests.Lab;

internal static class Objects
{
    public static JsonObject ConfigMap(string name, string ns = "default", string? label = null, string data = "1")
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (label is not null)
        {
            metadata["labels"] = new JsonObject { ["tier"] = label };
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = metadata, ["data"] = new JsonObject { ["value"] = data } };
    }
}
