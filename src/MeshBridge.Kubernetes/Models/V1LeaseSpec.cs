using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Kubernetes.Models;

public sealed record V1LeaseSpec
{
    [JsonPropertyName("holderIdentity")]
    public string? HolderIdentity { get; init; }

    [JsonPropertyName("leaseDurationSeconds")]
    public int? LeaseDurationSeconds { get; init; }

    /// <summary>MicroTime on the wire (<c>2026-11-22T02:34:22.123456Z</c>).</summary>
    [JsonPropertyName("acquireTime")]
    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? AcquireTime { get; init; }

    [JsonPropertyName("renewTime")]
    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? RenewTime { get; init; }

    [JsonPropertyName("leaseTransitions")]
    public int? LeaseTransitions { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
