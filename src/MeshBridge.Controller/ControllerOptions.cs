using MeshBridge.Controller.Caching;
using MeshBridge.Transform;

namespace MeshBridge.Controller;

public sealed record ControllerOptions
{
    /// <summary>The field manager and Event reporting controller name.</summary>
    public string FieldManager { get; init; } = "meshbridge";

    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>Only VirtualServers of this class (or with no class) are handled; null handles every class.</summary>
    public string? IngressClass { get; init; }

    public WorkloadReference? IngressWorkload { get; init; }

    /// <summary>The Istio revision given explicitly; it wins over NIC's namespace label (<see cref="ClusterState.EffectiveIstioRevision"/>).</summary>
    public string? IstioRevision { get; init; }

    /// <summary>Istio's root namespace, where the mesh ConfigMap (<c>istio</c>, <c>istio-&lt;rev&gt;</c>) lives.</summary>
    public string IstioNamespace { get; init; } = "istio-system";

    /// <summary>The namespaces MeshBridge handles, by their labels (<see cref="ClusterState.NamespaceSelected"/>); null is every namespace.</summary>
    public LabelSelector? NamespaceSelector { get; init; }

    public int Workers { get; init; } = 2;

    public TimeSpan? ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where the controller's decision logs go; none when null.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}
