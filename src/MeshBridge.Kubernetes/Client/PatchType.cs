namespace MeshBridge.Kubernetes.Client;

/// <summary>As kubernetes-client's <c>V1Patch.PatchType</c>.</summary>
public enum PatchType
{
    JsonPatch,
    MergePatch,
    StrategicMergePatch,
    ApplyPatch,
}
