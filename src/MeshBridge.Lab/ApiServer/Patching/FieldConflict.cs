using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>A field an apply would change that another manager owns.</summary>
public sealed record FieldConflict(ManagedFieldsEntry Owner, FieldPath Path)
{
    public const string CauseReason = "FieldManagerConflict";

    /// <summary>The path as the API server prints it: <c>.spec.host</c>.</summary>
    public string Field => Path.ToString();

    /// <summary><c>{"reason":"FieldManagerConflict","message":"conflict with \"mgr\"","field":".spec.host"}</c> [conflict.go NewConflictError].</summary>
    public V1StatusCause ToCause() => new()
    {
        Reason = CauseReason,
        Message = $"conflict with {Owner.Description}",
        Field = Field,
    };
}
