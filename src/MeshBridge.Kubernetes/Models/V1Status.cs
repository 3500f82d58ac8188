using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Kubernetes.Models;

/// <summary>The API server's error body (<c>kind: Status</c>), as kubernetes-client's <c>V1Status</c>.</summary>
public sealed record V1Status
{
    [JsonPropertyName("kind")]
    public string? Kind { get; init; } = "Status";

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; } = "v1";

    [JsonPropertyName("metadata")]
    public JsonElement? Metadata { get; init; }

    /// <summary>"Success" or "Failure".</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    /// <summary>NotFound, AlreadyExists, Conflict, Invalid, Expired, TooManyRequests, …</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("details")]
    public V1StatusDetails? Details { get; init; }

    [JsonPropertyName("code")]
    public int? Code { get; init; }
}
