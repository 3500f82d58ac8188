using System.Globalization;
using System.Text.Json;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Controller.Caching;

/// <summary>
/// The cluster facts MeshBridge derives from cached objects: NIC's IngressClasses, the Istio trust domain and
/// revision, and namespace selection. Pure functions over objects, so they are tested without an API server;
/// <see cref="ClusterState"/> applies them to its informers.
/// </summary>
public static class MeshFacts
{
    /// <summary>NIC's controller name in <c>IngressClass.spec.controller</c> (reference/nic.md §7, <c>k8s.IngressControllerName</c>).</summary>
    public const string NicController = "nginx.org/ingress-controller";

    /// <summary>MeshConfig's default <c>trustDomain</c> (reference/istio.md §3).</summary>
    public const string DefaultTrustDomain = "cluster.local";

    public const string RevisionLabel = "istio.io/rev";

    public const string InjectionLabel = "istio-injection";

    /// <summary>Whether this IngressClass belongs to NIC.</summary>
    public static bool IsNicIngressClass(GenericObject? ingressClass) =>
        ingressClass is not null && Spec(ingressClass) is { } spec &&
        spec.TryGetProperty("controller", out var controller) && controller.ValueKind == JsonValueKind.String &&
        controller.GetString() == NicController;

    /// <summary>
    /// The mesh facts for a revision from the ConfigMaps of Istio's root namespace: <c>istio-&lt;revision&gt;</c> when a
    /// revision is given and that ConfigMap exists, else <c>istio</c> (istiod's <c>getMeshConfigMapName</c>); key
    /// <c>mesh</c> → top-level <c>trustDomain</c>. No ConfigMap, no <c>mesh</c> key or no <c>trustDomain</c> gives
    /// istiod's default, <c>cluster.local</c>; a document istiod would reject gives the default and a problem.
    /// </summary>
    public static MeshConfigFacts MeshConfig(IEnumerable<GenericObject> istioConfigMaps, string? revision)
    {
        var byName = new Dictionary<string, GenericObject>(StringComparer.Ordinal);
        foreach (var configMap in istioConfigMaps)
        {
            if (configMap.Metadata.Name is { } name)
            {
                byName[name] = configMap;
            }
        }

        GenericObject? chosen = null;
        if (!string.IsNullOrEmpty(revision))
        {
            byName.TryGetValue($"istio-{revision}", out chosen);
        }

        if (chosen is null && !byName.TryGetValue("istio", out chosen))
        {
            return new MeshConfigFacts(DefaultTrustDomain, null, null);
        }

        var source = $"{chosen.Metadata.Namespace()}/{chosen.Metadata.Name}";
        if (chosen.Extra?.GetValueOrDefault("data") is not { ValueKind: JsonValueKind.Object } data ||
            !data.TryGetProperty("mesh", out var mesh) || mesh.ValueKind != JsonValueKind.String)
        {
            return new MeshConfigFacts(DefaultTrustDomain, source, null);
        }

        var (trustDomain, problem) = MeshConfigReader.ReadTrustDomain(mesh.GetString()!);
        return problem is null
            ? new MeshConfigFacts(trustDomain ?? DefaultTrustDomain, source, null)
            : new MeshConfigFacts(DefaultTrustDomain, source, $"ConfigMap {source}, data.mesh: {problem}; using the default trust domain \"{DefaultTrustDomain}\"");
    }

    /// <summary>
    /// The Istio revision a namespace asks for: its <c>istio.io/rev</c> label, or null for the default revision. Any
    /// <c>istio-injection</c> label wins: Istio's revision webhooks select namespaces with <c>istio.io/rev</c> AND no
    /// <c>istio-injection</c> label, and <c>istio-injection=enabled</c> is served by the default revision.
    /// </summary>
    public static string? IstioRevisionOf(GenericObject? ns)
    {
        var labels = ns?.Metadata.Labels;
        if (labels is null || labels.ContainsKey(InjectionLabel))
        {
            return null;
        }

        return labels.TryGetValue(RevisionLabel, out var revision) && revision.Length > 0 ? revision : null;
    }

    /// <summary>Every namespace without a selector; with one, a known namespace whose labels match.</summary>
    public static bool NamespaceSelected(LabelSelector? selector, GenericObject? ns) =>
        selector is null || (ns is not null && selector.Matches(ns.Metadata.Labels));

    private static JsonElement? Spec(GenericObject obj) =>
        obj.Extra?.GetValueOrDefault("spec") is { ValueKind: JsonValueKind.Object } spec ? spec : null;
}
