using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client;

/// <summary>A patch body and its type, as kubernetes-client's <c>V1Patch</c>.</summary>
public sealed record V1Patch(JsonNode Content, PatchType Type)
{
    public string ContentType => Type switch
    {
        PatchType.JsonPatch => "application/json-patch+json",
        PatchType.MergePatch => "application/merge-patch+json",
        PatchType.StrategicMergePatch => "application/strategic-merge-patch+json",
        _ => "application/apply-patch+yaml",
    };
}
