using System.Text.Json;
using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>The state of one <see cref="MeshTransform.Apply"/> call, in the order the decisions are made.</summary>
internal sealed class TransformRun
{
    private readonly TransformInput input;
    private readonly TransformOptions options;
    private readonly DiagnosticBag bag = new();
    private readonly RoutedResource[] servers;
    private readonly RoutedResource[] routes;
    private readonly Dictionary<ResourceKey, int> routeIndex = [];
    private readonly Dictionary<ResourceKey, Policy> policyIndex = [];
    private readonly List<EnrolledWorkload> workloads = [];

    public TransformRun(TransformInput input, TransformOptions options)
    {
        this.input = input;
        this.options = options;
        servers = input.VirtualServers.Select(vs => RoutedResource.ForServer(vs, Namespace(vs.Metadata), bag)).ToArray();
        routes = input.VirtualServerRoutes.Select(vsr => RoutedResource.ForRoute(vsr, Namespace(vsr.Metadata), bag)).ToArray();
        for (var i = 0; i < routes.Length; i++)
        {
            routeIndex.TryAdd(routes[i].Key, i);
        }

        foreach (var policy in input.Policies)
        {
            policyIndex.TryAdd(new ResourceKey(Policy.KubeKind, Namespace(policy.Metadata), policy.Metadata.Name ?? string.Empty), policy);
        }
    }

    public TransformResult Run()
    {
        DecideServerModes();
        ResolveRouteReferences();
        DecideRouteModes();
        DecideInstances();
        Validate();
        ApplyGroups();
        var policies = ReconcilePolicies(out var created, out var deleted);
        return new TransformResult
        {
            VirtualServers = servers.Select((s, i) => Unchanged(input.VirtualServers[i], s.ToVirtualServer())).ToList(),
            VirtualServerRoutes = routes.Select((r, i) => Unchanged(input.VirtualServerRoutes[i], r.ToVirtualServerRoute())).ToList(),
            Policies = policies,
            Workloads = input.Workloads.Select(w => workloads.FirstOrDefault(e => ReferenceEquals(e.Original, w))?.Output ?? w).ToList(),
            CreatedPolicies = created,
            DeletedPolicies = deleted,
            Diagnostics = bag.Items.ToList(),
        };
    }

    private string Namespace(V1ObjectMeta metadata) => options.NamespaceOf(metadata);

    private void DecideServerModes()
    {
        foreach (var server in servers)
        {
            var annotations = server.Metadata.Annotations;
            if (options.ModeOverride is { } forced)
            {
                server.Mode = forced;
            }
            else if (MeshModes.TryParse(annotations?.GetValueOrDefault(MeshAnnotations.Mode), out var mode))
            {
                server.Mode = mode;
            }
            else
            {
                bag.Error(server.Key, $"metadata.annotations[\"{MeshAnnotations.Mode}\"]", DiagnosticReasons.InvalidMode,
                    $"unknown mode \"{annotations![MeshAnnotations.Mode]}\"; use one of {string.Join(", ", MeshModes.Names)}");
            }

            var format = annotations?.GetValueOrDefault(MeshAnnotations.HostFormat);
            server.HostFormat = options.HostFormatOverride ?? format switch
            {
                null or "" or "fqdn" => HostFormat.Fqdn,
                "short" => HostFormat.Short,
                _ => InvalidHostFormat(server, format),
            };
        }
    }

    private HostFormat InvalidHostFormat(RoutedResource server, string format)
    {
        bag.Error(server.Key, $"metadata.annotations[\"{MeshAnnotations.HostFormat}\"]", DiagnosticReasons.InvalidHostFormat,
            $"unknown host format \"{format}\"; use fqdn (<svc>.<ns>.svc.{options.ClusterDomain}) or short (<svc>.<ns>)");
        return HostFormat.Fqdn;
    }

    /// <summary>
    /// A VS route names a VSR with <c>route: [ns/]name</c>, or selects VSRs by <c>routeSelector.matchLabels</c>
    /// in any namespace; either way NIC only accepts a VSR whose host equals the VS host.
    /// </summary>
    private void ResolveRouteReferences()
    {
        foreach (var server in servers)
        {
            var host = server.Host;
            var serverRoutes = server.Base.Routes ?? [];
            for (var j = 0; j < serverRoutes.Count; j++)
            {
                var route = serverRoutes[j];
                if (route.RouteReference is { Length: > 0 } reference)
                {
                    var slash = reference.IndexOf('/', StringComparison.Ordinal);
                    var key = new ResourceKey(VirtualServerRoute.KubeKind,
                        slash < 0 ? server.Key.Namespace : reference[..slash], slash < 0 ? reference : reference[(slash + 1)..]);
                    if (!routeIndex.TryGetValue(key, out var index))
                    {
                        server.Problems.Add(($"spec.routes[{j}].route", DiagnosticReasons.UnresolvedRoute,
                            $"references {key}, which is not among the inputs; pass it too (with -f) so it is meshed with this VirtualServer"));
                    }
                    else if (routes[index].Host != host)
                    {
                        server.Problems.Add(($"spec.routes[{j}].route", DiagnosticReasons.RouteHostMismatch,
                            $"references {key}, whose host \"{routes[index].Host}\" differs from \"{host}\"; NIC ignores such a route"));
                    }
                    else
                    {
                        Link(server, routes[index]);
                    }
                }
                else if (route.RouteSelector is { } selector)
                {
                    var wanted = selector.MatchLabels ?? new Dictionary<string, string>();
                    foreach (var candidate in routes.Where(r => r.Host == host && wanted.All(l => r.Metadata.Labels?.GetValueOrDefault(l.Key) == l.Value)))
                    {
                        Link(server, candidate);
                    }
                }
            }
        }
    }

    private static void Link(RoutedResource server, RoutedResource route)
    {
        if (!server.Linked.Contains(route))
        {
            server.Linked.Add(route);
            route.Linked.Add(server);
        }
    }

    /// <summary>A VirtualServerRoute follows the mode of the VirtualServers that reference it; they must agree.</summary>
    private void DecideRouteModes()
    {
        foreach (var route in routes)
        {
            if (route.Linked.Count == 0)
            {
                route.Mode = options.ModeOverride;
                route.HostFormat = options.HostFormatOverride ?? HostFormat.Fqdn;
                route.Untouched = options.ModeOverride is null;
                continue;
            }

            var asks = route.Linked.Where(s => s.Mode is not null).Select(s => (s.Mode!.Value, s.HostFormat)).Distinct().ToList();
            if (asks.Count > 1)
            {
                var who = string.Join(", ", route.Linked.Select(s => $"{s.Key} ({s.Mode?.ToName()}, {s.HostFormat.ToString().ToLowerInvariant()})"));
                bag.Error(route.Key, string.Empty, DiagnosticReasons.RouteModeConflict,
                    $"referenced by VirtualServers that ask for different modes or host formats: {who}");
                continue;
            }

            if (asks.Count == 1)
            {
                (route.Mode, route.HostFormat) = asks[0];
            }
        }
    }

    private void DecideInstances()
    {
        foreach (var workload in input.Workloads)
        {
            var key = new ResourceKey(workload.Kind ?? "Workload", Namespace(workload.Metadata), workload.Metadata.Name ?? string.Empty);
            var isNic = options.IngressWorkload is { } named
                ? named.Namespace == key.Namespace && named.Kind == key.Kind && named.Name == key.Name
                : NicInstance.LooksLikeNic(workload);
            if (isNic)
            {
                workloads.Add(DecideEnrollment(workload, key));
            }
        }

        foreach (var server in servers.Where(s => s.Mode == MeshMode.EgressMtls))
        {
            var identities = workloads.Where(w => w.Instance.Serves(server.IngressClass)).Select(w => w.Instance.Identity).Distinct().ToList();
            if (identities.Count > 1)
            {
                bag.Error(server.Key, "spec.ingressClassName", DiagnosticReasons.AmbiguousInstance,
                    $"is served by NIC instances with different identities ({string.Join(", ", identities)}), and egress-mtls needs one; set spec.ingressClassName");
            }

            server.Identity = identities.Count == 1 ? identities[0] : options.DefaultNicIdentity;
        }
    }

    /// <summary>Enrollment is what the instance's VirtualServers ask for; asks that cannot coexist change nothing.</summary>
    private EnrolledWorkload DecideEnrollment(Workload workload, ResourceKey key)
    {
        var record = AppliedRecord.Read(key, workload.Metadata, bag);
        var entry = new EnrolledWorkload(workload, key, NicInstance.Describe(workload, key), WorkloadEnrollment.Revert(workload, record));
        if (record is null && workload.Metadata.Annotation(MeshAnnotations.Applied) is not null)
        {
            entry.Conflicted = true;
            return entry;
        }

        var served = servers.Where(s => s.Mode is not null && entry.Instance.Serves(s.IngressClass)).ToList();
        var peers = input.Peers.Where(p => p.Count > 0 && entry.Instance.Serves(p.IngressClass)).ToList();
        var meshed = served.Where(s => s.Mode != MeshMode.None).Select(s => s.Mode!.Value)
            .Concat(peers.Where(p => p.Mode != MeshMode.None).Select(p => p.Mode))
            .Distinct()
            .ToList();
        if (options.ModeOverride is { } forced)
        {
            entry.Desired = forced;
        }
        else if (meshed.Count > 1)
        {
            entry.Conflicted = true;
            var asks = string.Join("; ", meshed.Select(m => $"{m.ToName()} by {Askers(m, served, peers)}"));
            var message = $"NIC instance {key} (ingress class \"{entry.Instance.IngressClass}\") is asked for {asks}; one NIC instance is enrolled in one way only, so none of these objects was changed. Serve them from separate NIC instances (ingress classes)";
            bag.Error(key, string.Empty, DiagnosticReasons.EnrollmentConflict, message);
            foreach (var server in served.Where(s => s.Mode != MeshMode.None))
            {
                bag.Error(server.Key, $"metadata.annotations[\"{MeshAnnotations.Mode}\"]", DiagnosticReasons.EnrollmentConflict, message);
            }
        }
        else if (served.Count > 0 || peers.Count > 0)
        {
            entry.Desired = meshed.Count == 1 ? meshed[0] : MeshMode.None;
        }

        if (WorkloadEnrollment.EnrollmentLabel(entry.Base) is { } label)
        {
            foreach (var server in served.Where(s => s.Mode == MeshMode.EgressMtls))
            {
                bag.Error(server.Key, $"metadata.annotations[\"{MeshAnnotations.Mode}\"]", DiagnosticReasons.EnrolledOutsideMeshBridge,
                    $"egress-mtls needs NIC outside the mesh dataplane, but NIC instance {key} has the pod label {label}, which MeshBridge did not set; remove it or use sidecar/ambient mode");
            }
        }

        return entry;
    }

    /// <summary>Who asks for a mode: the input's VirtualServers by name, then the peers' examples and how many more.</summary>
    private static string Askers(MeshMode mode, List<RoutedResource> served, List<PeerServers> peers)
    {
        const int Shown = 5;
        var names = served.Where(s => s.Mode == mode).Select(s => s.Key).ToList();
        var total = names.Count + peers.Where(p => p.Mode == mode).Sum(p => p.Count);
        names.AddRange(peers.Where(p => p.Mode == mode).SelectMany(p => p.Examples).Except(names).Take(Math.Max(0, Shown - names.Count)));
        var text = string.Join(", ", names);
        return total > names.Count ? $"{text} and {total - names.Count} more" : text;
    }

    private void Validate()
    {
        foreach (var resource in servers.Concat(routes).Where(r => r.Mode is { } m && m != MeshMode.None && !r.Untouched))
        {
            foreach (var (path, reason, message) in resource.Problems)
            {
                bag.Error(resource.Key, path, reason, message);
            }

            var mode = resource.Mode!.Value;
            NicValidation.Upstreams(resource.Key, resource.Base.Upstreams, mode, bag);
            NicValidation.Actions(resource.Key, resource.Base.Routes, resource.RoutesField, resource.UpstreamsByName, mode,
                u => resource.HostFor(u, options.ClusterDomain), bag);
            if (mode == MeshMode.EgressMtls)
            {
                CheckEgressPolicies(resource, resource.Base.Policies, "spec.policies");
                var list = resource.Base.Routes ?? [];
                for (var j = 0; j < list.Count; j++)
                {
                    CheckEgressPolicies(resource, list[j].Policies, $"{resource.RoutesField}[{j}].policies");
                }
            }
        }
    }

    /// <summary>NGINX applies one EgressMTLS policy per context, and a route's own replaces the server's.</summary>
    private void CheckEgressPolicies(RoutedResource resource, IReadOnlyList<PolicyReference>? references, string field)
    {
        for (var i = 0; i < (references?.Count ?? 0); i++)
        {
            var reference = references![i];
            var key = new ResourceKey(Policy.KubeKind, reference.Namespace ?? resource.Key.Namespace, reference.Name ?? string.Empty);
            if (policyIndex.TryGetValue(key, out var policy) && policy.Spec?.EgressMtls is not null && !EgressMtlsPolicyBuilder.IsManaged(policy))
            {
                bag.Error(resource.Key, $"{field}[{i}]", DiagnosticReasons.EgressMTLSPolicyConflict,
                    $"references EgressMTLS {key}; NGINX uses one EgressMTLS policy per context, so NIC would not present its mesh certificate. Remove this reference, or use sidecar/ambient mode");
            }
        }
    }

    /// <summary>VirtualServers and the routes linked to them form groups that change together or not at all.</summary>
    private void ApplyGroups()
    {
        var visited = new HashSet<RoutedResource>();
        foreach (var start in servers.Concat(routes))
        {
            if (!visited.Add(start))
            {
                continue;
            }

            var group = new List<RoutedResource> { start };
            for (var i = 0; i < group.Count; i++)
            {
                group.AddRange(group[i].Linked.Where(visited.Add));
            }

            var failed = group.Where(r => bag.HasErrors(r.Key) || (r.Mode is null && !r.Untouched)).ToList();
            if (failed.Count > 0)
            {
                foreach (var member in group.Where(r => !failed.Contains(r) && !r.Untouched))
                {
                    bag.Error(member.Key, string.Empty, DiagnosticReasons.RelatedObjectInvalid,
                        $"left unchanged because {string.Join(", ", failed.Select(f => f.Key))} must change with it and has errors");
                }

                continue;
            }

            foreach (var member in group.Where(r => !r.Untouched))
            {
                member.Apply(options.ClusterDomain);
            }
        }

        foreach (var entry in workloads.Where(w => w.Desired is not null && !w.Conflicted && !bag.HasErrors(w.Key)))
        {
            entry.Output = WorkloadEnrollment.Apply(entry.Base, entry.Desired!.Value, entry.Instance, options, entry.Key, bag);
            entry.Output = Unchanged(entry.Original, entry.Output);
        }
    }

    private List<Policy> ReconcilePolicies(out List<CreatedPolicy> created, out List<ResourceKey> deleted)
    {
        var desired = new Dictionary<ResourceKey, (RoutedResource Server, NicIdentity Identity)>();
        foreach (var server in servers.Where(s => s.Applied && s.Mode == MeshMode.EgressMtls))
        {
            var key = new ResourceKey(Policy.KubeKind, server.Key.Namespace, EgressMtlsPolicyBuilder.PolicyName(server.Identity));
            desired.TryAdd(key, (server, server.Identity));
        }

        var before = PolicyKeys(input.VirtualServers.Select(v => (Namespace(v.Metadata), v.Spec?.Policies)));
        var after = PolicyKeys(servers.Select(s => (s.Key.Namespace, s.ToVirtualServer().Spec?.Policies)));
        after.UnionWith(input.PolicyReferencesElsewhere);
        var output = new List<Policy>();
        deleted = [];
        foreach (var policy in input.Policies)
        {
            var key = new ResourceKey(Policy.KubeKind, Namespace(policy.Metadata), policy.Metadata.Name ?? string.Empty);
            if (EgressMtlsPolicyBuilder.IsManaged(policy) && desired.Remove(key, out var want))
            {
                output.Add(Unchanged(policy, EgressMtlsPolicyBuilder.Build(want.Identity, policy.Metadata.Namespace(), policy)));
                continue;
            }

            if (EgressMtlsPolicyBuilder.IsManaged(policy) && before.Contains(key) && !after.Contains(key))
            {
                deleted.Add(key);
            }

            output.Add(policy);
        }

        created = desired.Select(d => new CreatedPolicy(
            EgressMtlsPolicyBuilder.Build(d.Value.Identity, d.Value.Server.Metadata.Namespace()), d.Value.Server.Key)).ToList();
        return output;
    }

    private static HashSet<ResourceKey> PolicyKeys(IEnumerable<(string Namespace, IReadOnlyList<PolicyReference>? References)> lists) =>
        lists.SelectMany(l => (l.References ?? []).Select(r => new ResourceKey(Policy.KubeKind, r.Namespace ?? l.Namespace, r.Name ?? string.Empty)))
            .ToHashSet();

    /// <summary>Returns the original instance when nothing changed, so callers can tell "no write needed" by reference.</summary>
    private static T Unchanged<T>(T original, T candidate)
        where T : class
    {
        var a = JsonSerializer.Serialize(original, typeof(T), Model.ModelJsonContext.Default);
        var b = JsonSerializer.Serialize(candidate, typeof(T), Model.ModelJsonContext.Default);
        return a == b ? original : candidate;
    }

    private sealed class EnrolledWorkload(Workload original, ResourceKey key, NicInstance instance, Workload @base)
    {
        public Workload Original { get; } = original;

        public ResourceKey Key { get; } = key;

        public NicInstance Instance { get; } = instance;

        public Workload Base { get; } = @base;

        public MeshMode? Desired { get; set; }

        public bool Conflicted { get; set; }

        public Workload? Output { get; set; }
    }
}
