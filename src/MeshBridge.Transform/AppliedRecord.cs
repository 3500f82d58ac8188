using System.Text.Json;
using System.Text.Json.Serialization;
using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>
/// The <c>meshbridge.io/applied</c> annotation: a compact record of exactly what MeshBridge changed on one object.
/// Revert undoes a recorded change only while the field still holds the value MeshBridge wrote, so edits a user
/// made meanwhile survive. Keys are stable names (upstream name, route path), not list indexes, so reordering
/// routes or upstreams does not confuse revert.
/// </summary>
public sealed record AppliedRecord
{
    [JsonPropertyName("mode")]
    public string Mode { get; init; } = "none";

    /// <summary>
    /// Maps MeshBridge created to hold its changes, removed again on revert when empty: "annotations" (the
    /// object's own, which hold this record), "podAnnotations" (a workload's pod template).
    /// </summary>
    [JsonPropertyName("created")]
    public IReadOnlyList<string>? Created { get; init; }

    [JsonPropertyName("upstreams")]
    public Dictionary<string, UpstreamChange>? Upstreams { get; init; }

    /// <summary>Keyed by <c>&lt;route path&gt;|action</c>, <c>|splits[i]</c>, <c>|matches[i]</c>, <c>|matches[i].splits[j]</c>.</summary>
    [JsonPropertyName("actions")]
    public Dictionary<string, ActionChange>? Actions { get; init; }

    [JsonPropertyName("policy")]
    public PolicyChange? Policy { get; init; }

    /// <summary>Workloads: pod-template labels MeshBridge set.</summary>
    [JsonPropertyName("labels")]
    public Dictionary<string, KeyChange>? Labels { get; init; }

    /// <summary>Workloads: pod-template annotations MeshBridge set.</summary>
    [JsonPropertyName("podAnnotations")]
    public Dictionary<string, KeyChange>? PodAnnotations { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, ModelJsonContext.Default.AppliedRecord);

    /// <summary>Reads a record; null when the text is not one MeshBridge wrote.</summary>
    public static AppliedRecord? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, ModelJsonContext.Default.AppliedRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads an object's record, reporting one that is present but unreadable.</summary>
    internal static AppliedRecord? Read(ResourceKey key, V1ObjectMeta metadata, DiagnosticBag bag)
    {
        var text = metadata.Annotation(MeshAnnotations.Applied);
        var record = TryParse(text);
        if (text is not null && record is null)
        {
            bag.Error(key, $"metadata.annotations[\"{MeshAnnotations.Applied}\"]", DiagnosticReasons.InvalidAppliedRecord,
                "is not a record MeshBridge wrote, so MeshBridge cannot tell what to revert; restore it, or remove it together with the changes it describes");
        }

        return record;
    }

    public sealed record UpstreamChange
    {
        /// <summary>What <c>use-cluster-ip</c> was before MeshBridge set it true: "absent" or "false".</summary>
        [JsonPropertyName("useClusterIP")]
        public string? UseClusterIP { get; init; }

        /// <summary>What <c>tls.enable</c> was before: "absent" (no tls object), "unset" or "false".</summary>
        [JsonPropertyName("tls")]
        public string? Tls { get; init; }
    }

    public sealed record ActionChange
    {
        /// <summary>The Host value MeshBridge added, if it added one.</summary>
        [JsonPropertyName("host")]
        public string? Host { get; init; }

        /// <summary>True when MeshBridge added the empty X-Forwarded-Client-Cert header.</summary>
        [JsonPropertyName("xfcc")]
        public bool? Xfcc { get; init; }

        /// <summary>Containers MeshBridge created: "proxy" (a pass action converted), "requestHeaders", "set".</summary>
        [JsonPropertyName("created")]
        public IReadOnlyList<string>? Created { get; init; }
    }

    public sealed record PolicyChange
    {
        [JsonPropertyName("name")]
        public string Name { get; init; } = string.Empty;

        /// <summary>True when MeshBridge created <c>spec.policies</c> to hold the reference.</summary>
        [JsonPropertyName("createdList")]
        public bool? CreatedList { get; init; }
    }

    public sealed record KeyChange
    {
        [JsonPropertyName("set")]
        public string Set { get; init; } = string.Empty;

        /// <summary>The value before MeshBridge set it; absent when the key did not exist.</summary>
        [JsonPropertyName("was")]
        public string? Was { get; init; }
    }
}
