using System.Globalization;
using System.Text.Json;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>
/// The mTLS mode Istio enforces on a workload port, as istiod resolves PeerAuthentications: a policy selecting the
/// workload wins over its namespace's (no selector), which wins over the mesh-wide one (no selector, in Istio's root
/// namespace); the oldest wins among equals; <c>portLevelMtls</c> (only on a selecting policy) wins for its port;
/// <c>UNSET</c> inherits from the next level; nothing at all is PERMISSIVE.
/// </summary>
internal static class PeerAuthenticationResolver
{
    public const string Permissive = "PERMISSIVE";
    public const string Strict = "STRICT";
    public const string Disable = "DISABLE";

    /// <summary>The effective mode and the policy that decided it.</summary>
    public static (string Mode, string Source) Resolve(
        IReadOnlyList<GenericObject> policies, string rootNamespace, string workloadNamespace, IReadOnlyDictionary<string, string>? podLabels, int? targetPort)
    {
        var selecting = Oldest(policies.Where(p => p.Metadata.Namespace() == workloadNamespace && Selector(p) is { } s && s.Count > 0 && Matches(s, podLabels)));
        var namespaceWide = Oldest(policies.Where(p => p.Metadata.Namespace() == workloadNamespace && Selector(p) is not { Count: > 0 }));
        var meshWide = Oldest(policies.Where(p => p.Metadata.Namespace() == rootNamespace && Selector(p) is not { Count: > 0 }));

        if (selecting is not null && targetPort is { } port && PortMode(selecting, port) is { } portMode)
        {
            return (portMode, $"{Name(selecting)} (workload selector, portLevelMtls {port.ToString(CultureInfo.InvariantCulture)})");
        }

        foreach (var (policy, scope) in new[] { (selecting, "workload selector"), (namespaceWide, "namespace"), (meshWide, "mesh-wide") })
        {
            if (policy is not null && Mode(policy) is { } mode)
            {
                return (mode, $"{Name(policy)} ({scope})");
            }
        }

        return (Permissive, "no PeerAuthentication applies (Istio's default)");
    }

    private static string Name(GenericObject policy) => $"{policy.Metadata.Namespace()}/{policy.Metadata.Name}";

    private static GenericObject? Oldest(IEnumerable<GenericObject> candidates) =>
        candidates.OrderBy(p => CreationTimestamp(p)).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal).FirstOrDefault();

    private static string CreationTimestamp(GenericObject policy) =>
        policy.Metadata.Extra?.GetValueOrDefault("creationTimestamp") is { ValueKind: JsonValueKind.String } t ? t.GetString() ?? string.Empty : string.Empty;

    private static JsonElement? Spec(GenericObject policy) =>
        policy.Extra?.GetValueOrDefault("spec") is { ValueKind: JsonValueKind.Object } spec ? spec : null;

    private static Dictionary<string, string>? Selector(GenericObject policy)
    {
        if (Spec(policy) is not { } spec || !spec.TryGetProperty("selector", out var selector) ||
            !selector.TryGetProperty("matchLabels", out var labels) || labels.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);
    }

    private static bool Matches(Dictionary<string, string> selector, IReadOnlyDictionary<string, string>? labels) =>
        labels is not null && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    /// <summary>The policy's own mode; null for UNSET or none (inherit).</summary>
    private static string? Mode(GenericObject policy) =>
        Spec(policy) is { } spec && spec.TryGetProperty("mtls", out var mtls) ? ModeOf(mtls) : null;

    private static string? PortMode(GenericObject policy, int port) =>
        Spec(policy) is { } spec && spec.TryGetProperty("portLevelMtls", out var ports) && ports.ValueKind == JsonValueKind.Object &&
        ports.TryGetProperty(port.ToString(CultureInfo.InvariantCulture), out var mtls)
            ? ModeOf(mtls)
            : null;

    private static string? ModeOf(JsonElement mtls) =>
        mtls.ValueKind == JsonValueKind.Object && mtls.TryGetProperty("mode", out var mode) && mode.GetString()?.ToUpperInvariant() is { } value &&
        value is Strict or Permissive or Disable
            ? value
            : null;
}
