using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>
/// A VirtualServer or VirtualServerRoute seen the same way (upstreams plus a route list) while one transform run
/// decides about it: its original, its reverted base, the decisions, and the output.
/// </summary>
internal sealed class RoutedResource
{
    private readonly VirtualServer? server;
    private readonly VirtualServerRoute? route;
    private readonly AppliedRecord? record;

    private RoutedResource(ResourceKey key, VirtualServer? server, VirtualServerRoute? route, RoutedParts original, DiagnosticBag bag)
    {
        Key = key;
        this.server = server;
        this.route = route;
        Metadata = original.Metadata;
        record = AppliedRecord.Read(key, Metadata, bag);
        Base = record is null ? original : Revert(original, record);
        Output = original;
        UpstreamsByName = (Base.Upstreams ?? [])
            .Where(u => u.Name is not null)
            .DistinctBy(u => u.Name)
            .ToDictionary(u => u.Name!, StringComparer.Ordinal);
    }

    public ResourceKey Key { get; }

    public V1ObjectMeta Metadata { get; }

    /// <summary>The user's own form: the original with every recorded MeshBridge change undone.</summary>
    public RoutedParts Base { get; }

    public RoutedParts Output { get; private set; }

    public string RoutesField => server is not null ? "spec.routes" : "spec.subroutes";

    public string? Host => server?.Spec?.Host ?? route?.Spec?.Host;

    public string? IngressClass => server?.Spec?.IngressClassName ?? route?.Spec?.IngressClassName;

    public IReadOnlyDictionary<string, Upstream> UpstreamsByName { get; }

    /// <summary>Null while undecided or when the ask is invalid.</summary>
    public MeshMode? Mode { get; set; }

    public HostFormat HostFormat { get; set; }

    /// <summary>A VirtualServerRoute no input VirtualServer references, with no mode forced: left as it is.</summary>
    public bool Untouched { get; set; }

    public NicIdentity Identity { get; set; } = NicIdentity.Default;

    public bool Applied { get; private set; }

    public List<RoutedResource> Linked { get; } = [];

    /// <summary>Reference problems found while linking, reported only if the resource is to be meshed.</summary>
    public List<(string Path, string Reason, string Message)> Problems { get; } = [];

    public static RoutedResource ForServer(VirtualServer vs, string ns, DiagnosticBag bag) =>
        new(new ResourceKey(VirtualServer.KubeKind, ns, vs.Metadata.Name ?? string.Empty), vs, null,
            new RoutedParts(vs.Metadata, vs.Spec?.Upstreams, vs.Spec?.Routes, vs.Spec?.Policies), bag);

    public static RoutedResource ForRoute(VirtualServerRoute vsr, string ns, DiagnosticBag bag) =>
        new(new ResourceKey(VirtualServerRoute.KubeKind, ns, vsr.Metadata.Name ?? string.Empty), null, vsr,
            new RoutedParts(vsr.Metadata, vsr.Spec?.Upstreams, vsr.Spec?.Subroutes, null), bag);

    /// <summary>The Host Istio routes on for an upstream, in sidecar and ambient mode; null otherwise.</summary>
    public string? HostFor(Upstream upstream, string clusterDomain) =>
        Mode?.UsesClusterIP() == true ? ServiceReference.Parse(upstream.Service)?.Host(Key.Namespace, HostFormat, clusterDomain) : null;

    public void Apply(string clusterDomain)
    {
        Applied = true;
        var mode = Mode ?? MeshMode.None;
        if (mode == MeshMode.None)
        {
            Output = Base;
            return;
        }

        var upstreamChanges = new Dictionary<string, AppliedRecord.UpstreamChange>(StringComparer.Ordinal);
        var actionChanges = new Dictionary<string, AppliedRecord.ActionChange>(StringComparer.Ordinal);
        var upstreams = RouteMeshing.Upstreams(Base.Upstreams, mode, upstreamChanges);
        var routes = ActionSites.Map(Base.Routes, RoutesField, (action, site) =>
        {
            var host = action.TargetUpstream is { } target && UpstreamsByName.TryGetValue(target, out var u) ? HostFor(u, clusterDomain) : null;
            return RouteMeshing.Action(action, site, host, actionChanges);
        });
        var policies = Base.Policies;
        AppliedRecord.PolicyChange? policyChange = null;
        if (server is not null && mode == MeshMode.EgressMtls)
        {
            policies = RouteMeshing.Policies(Base.Policies, EgressMtlsPolicyBuilder.PolicyName(Identity), Key.Namespace, out policyChange);
        }

        var applied = new AppliedRecord
        {
            Mode = mode.ToName(),
            Upstreams = upstreamChanges.Count > 0 ? upstreamChanges : null,
            Actions = actionChanges.Count > 0 ? actionChanges : null,
            Policy = policyChange,
        };
        Output = new RoutedParts(MetadataEdits.WithRecord(Base.Metadata, applied), upstreams, routes, policies);
    }

    public VirtualServer ToVirtualServer() => server! with
    {
        Metadata = Output.Metadata,
        Spec = server.Spec is null && Output.Upstreams is null && Output.Routes is null && Output.Policies is null
            ? null
            : (server.Spec ?? new VirtualServerSpec()) with { Upstreams = Output.Upstreams, Routes = Output.Routes, Policies = Output.Policies },
    };

    public VirtualServerRoute ToVirtualServerRoute() => route! with
    {
        Metadata = Output.Metadata,
        Spec = route.Spec is null && Output.Upstreams is null && Output.Routes is null
            ? null
            : (route.Spec ?? new VirtualServerRouteSpec()) with { Upstreams = Output.Upstreams, Subroutes = Output.Routes },
    };

    private RoutedParts Revert(RoutedParts original, AppliedRecord applied) => new(
        MetadataEdits.WithoutRecord(original.Metadata, applied),
        RouteReverting.Upstreams(original.Upstreams, applied.Upstreams),
        ActionSites.Map(original.Routes, RoutesField, (action, site) => RouteReverting.Action(action, site, applied.Actions)),
        RouteReverting.Policies(original.Policies, applied.Policy, Key.Namespace));
}
