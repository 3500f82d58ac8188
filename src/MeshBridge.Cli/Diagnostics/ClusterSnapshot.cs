using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform.Model;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>
/// Everything the checks read, fetched once with plain GETs and LISTs (no informers): the checks are pure functions
/// of it, so they are tested on built objects as well as against the lab.
/// </summary>
internal sealed record ClusterSnapshot
{
    public IReadOnlyList<VirtualServer> VirtualServers { get; init; } = [];

    public IReadOnlyList<VirtualServerRoute> VirtualServerRoutes { get; init; } = [];

    public IReadOnlyList<Policy> Policies { get; init; } = [];

    /// <summary>Deployments, DaemonSets and StatefulSets, each with its kind set.</summary>
    public IReadOnlyList<Workload> Workloads { get; init; } = [];

    public IReadOnlyList<GenericObject> IngressClasses { get; init; } = [];

    public IReadOnlyList<GenericObject> Namespaces { get; init; } = [];

    /// <summary>The ConfigMaps of Istio's root namespace (<c>istio</c>, <c>istio-&lt;rev&gt;</c>).</summary>
    public IReadOnlyList<GenericObject> IstioConfigMaps { get; init; } = [];

    /// <summary>Every PeerAuthentication (security.istio.io v1, or v1beta1 on an Istio older than 1.22); null when neither is served.</summary>
    public IReadOnlyList<GenericObject>? PeerAuthentications { get; init; }

    /// <summary>The Services the upstreams name, by <c>namespace/name</c> (missing ones absent).</summary>
    public IReadOnlyDictionary<string, GenericObject> Services { get; init; } = new Dictionary<string, GenericObject>();

    /// <summary>The MeshBridge Secrets egress-mtls needs, by <c>namespace/name</c> (missing ones absent).</summary>
    public IReadOnlyDictionary<string, GenericObject> Secrets { get; init; } = new Dictionary<string, GenericObject>();

    /// <summary>The Secrets (<c>namespace/name</c>) the caller may not read: describe says so rather than calling them missing.</summary>
    public IReadOnlySet<string> ForbiddenSecrets { get; init; } = new HashSet<string>();

    /// <summary>The running pods of each NIC workload serving an annotated VirtualServer, by <c>namespace/Kind/name</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<GenericObject>> NicPods { get; init; } = new Dictionary<string, IReadOnlyList<GenericObject>>();

    public string IstioNamespace { get; init; } = "istio-system";

    public GenericObject? Namespace(string? name) => Namespaces.FirstOrDefault(n => n.Metadata.Name == name);
}
