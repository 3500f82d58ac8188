using System.Text.Json;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>The <c>kind: Status</c> failure body every patching error becomes (kube-api.md §4).</summary>
internal static class FailureStatus
{
    private static readonly JsonElement EmptyMetadata = JsonElement.Parse("{}");

    public static V1Status Create(int code, string reason, string message, V1StatusDetails? details) => new()
    {
        Metadata = EmptyMetadata,
        Status = "Failure",
        Message = message,
        Reason = reason,
        Details = details,
        Code = code,
    };
}
