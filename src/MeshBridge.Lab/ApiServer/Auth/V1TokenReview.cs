using System.Text.Json;
using System.Text.Json.Serialization;
using MeshBridge.Transform.Model;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// authentication.k8s.io/v1 TokenReview as the API server answers it: the request echoed with <c>status</c> filled in
/// (k8s pkg/registry/authentication/tokenreview/storage.go). Serialise with <see cref="ToJson"/>.
/// </summary>
public sealed record V1TokenReview
{
    public const string KubeApiVersion = "authentication.k8s.io/v1";
    public const string KubeKind = "TokenReview";

    [JsonPropertyName("kind")]
    public string Kind { get; init; } = KubeKind;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; init; } = KubeApiVersion;

    /// <summary>
    /// A TokenReview is never stored, so its ObjectMeta is empty; Go still writes the zero
    /// <c>creationTimestamp</c> as null because <c>omitempty</c> does not apply to the metav1.Time struct (1.33).
    /// </summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; init; } = EmptyMetadata();

    [JsonPropertyName("spec")]
    public V1TokenReviewSpec Spec { get; init; } = new();

    [JsonPropertyName("status")]
    public V1TokenReviewStatus Status { get; init; } = new();

    public string ToJson() => JsonSerializer.Serialize(this, AuthJsonContext.Wire.V1TokenReview);

    private static V1ObjectMeta EmptyMetadata()
    {
        using var zero = JsonDocument.Parse("null");
        return new V1ObjectMeta { Extra = new() { ["creationTimestamp"] = zero.RootElement.Clone() } };
    }
}
