using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>A VS route or a VSR subroute: exactly one of action, splits, route, routeSelector.</summary>
public sealed record Route
{
    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("policies")]
    public IReadOnlyList<PolicyReference>? Policies { get; init; }

    [JsonPropertyName("route")]
    public string? RouteReference { get; init; }

    [JsonPropertyName("routeSelector")]
    public RouteSelector? RouteSelector { get; init; }

    [JsonPropertyName("action")]
    public RouteAction? Action { get; init; }

    [JsonPropertyName("splits")]
    public IReadOnlyList<Split>? Splits { get; init; }

    [JsonPropertyName("matches")]
    public IReadOnlyList<Match>? Matches { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
