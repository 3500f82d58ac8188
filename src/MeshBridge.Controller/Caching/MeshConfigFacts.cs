namespace MeshBridge.Controller.Caching;

/// <summary>
/// What MeshBridge takes from Istio's mesh ConfigMap for one revision.
/// </summary>
/// <param name="TrustDomain">The trust domain of NIC's SPIFFE identity; <c>cluster.local</c> when unset or unreadable.</param>
/// <param name="ConfigMap">The ConfigMap read, as <c>namespace/name</c>; null when neither <c>istio-&lt;rev&gt;</c> nor <c>istio</c> exists.</param>
/// <param name="Problem">Why the ConfigMap could not be used (malformed <c>mesh</c> YAML, an unusable trustDomain); null when it could. A reconciler turns it into a Warning event.</param>
public sealed record MeshConfigFacts(string TrustDomain, string? ConfigMap, string? Problem);
