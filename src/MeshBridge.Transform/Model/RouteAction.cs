using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Transform.Model;

/// <summary>Exactly one of pass, redirect, return, proxy. Redirect and return stay opaque in <see cref="Extra"/>.</summary>
public sealed record RouteAction
{
    [JsonPropertyName("pass")]
    public string? Pass { get; init; }

    [JsonPropertyName("proxy")]
    public ActionProxy? Proxy { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The upstream this action sends traffic to, if it is a pass or proxy action.</summary>
    [JsonIgnore]
    public string? TargetUpstream => Pass ?? Proxy?.Upstream;
}
