using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>
/// NIC (v5.4+) selects VirtualServerRoutes by <c>matchLabels</c> only, across namespaces, then keeps those whose
/// host equals the VirtualServer's (kubernetes-ingress <c>validateVSRSelectors</c>); matchExpressions are ignored.
/// </summary>
public sealed record RouteSelector
{
    [JsonPropertyName("matchLabels")]
    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
