using System.Text.Json.Serialization;

namespace MeshBridge.Kubernetes.Models;

/// <summary>One cause of a failure; its type key is <c>reason</c> (FieldValueInvalid, FieldManagerConflict, …).</summary>
public sealed record V1StatusCause
{
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("field")]
    public string? Field { get; init; }
}
