using System.Collections.Concurrent;
using MeshBridge.Controller.Caching;
using MeshBridge.Controller.Certificates;
using MeshBridge.Controller.Writes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;
using Microsoft.Extensions.Logging;

namespace MeshBridge.Controller.Reconcilers;

/// <summary>
/// Level-based reconcile of one VirtualServer (controller-runtime semantics): read the cached world around it, ask
/// the pure transform what it should look like, and write only the differences — the VirtualServer, the
/// VirtualServerRoutes on its host, the NIC workloads serving it, and its namespace's MeshBridge Policy.
/// </summary>
public sealed class VirtualServerReconciler(
    ClusterState state, VirtualServerIndex servers, HostIndex<VirtualServerRoute> routeHosts, NicWorkloads nics, ObjectWriter writer, EventRecorder events,
    ICertificateSource certificates, ControllerOptions options, ILogger logger)
{
    private readonly EgressObjects egress = new(state, servers, writer, certificates);

    /// <summary>The VirtualServers left Pending per identity, until it has a certificate.</summary>
    private readonly ConcurrentDictionary<MeshIdentity, ConcurrentDictionary<string, byte>> waiting = new();

    /// <summary>
    /// The VirtualServers a new certificate for <paramref name="identity"/> concerns: those waiting for one, and those
    /// referencing its EgressMTLS Policy in any namespace.
    /// </summary>
    public IReadOnlyCollection<string> UsersOf(MeshIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var policy = EgressMtlsPolicyBuilder.PolicyName(identity.ServiceAccount);
        var users = new HashSet<string>(StringComparer.Ordinal);
        foreach (var found in state.Policies.List().Where(p => p.Metadata.Name == policy))
        {
            users.UnionWith(servers.PolicyUsers(new ResourceKey(Policy.KubeKind, found.Metadata.Namespace() ?? string.Empty, policy)));
        }

        if (waiting.TryGetValue(identity, out var keys))
        {
            users.UnionWith(keys.Keys);
        }

        return users;
    }

    public async Task<ReconcileResult> ReconcileAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var server = state.VirtualServers.Get(ns, name);
        if (server is not null && !Tracked(server))
        {
            // Another class's, or a namespace --namespace-selector leaves out: not MeshBridge's to change.
            return ReconcileResult.Done;
        }

        var inputServers = server is null ? [] : OnSameHost(server);
        var excluded = inputServers.Select(ObjectKeys.Of).Append($"{ns}/{name}").ToHashSet(StringComparer.Ordinal);
        var namespaces = inputServers.Select(s => s.Metadata.Namespace() ?? ns).Append(ns).ToHashSet(StringComparer.Ordinal);
        var instances = nics.List().Select(w => (Workload: w, Instance: InstanceOf(w)))
            .Where(i => options.IngressWorkload is not null || state.IsNicIngressClass(i.Instance.IngressClass)).ToList();
        var input = new TransformInput
        {
            VirtualServers = inputServers,
            VirtualServerRoutes = RoutesFor(inputServers),
            Policies = namespaces.SelectMany(n => state.Policies.List(n)).ToList(),
            Workloads = instances.Select(i => i.Workload).ToList(),
            Peers = servers.Peers(excluded, Handled),
            PolicyReferencesElsewhere = servers.PolicyReferences(namespaces, excluded),
        };
        var transformOptions = new TransformOptions
        {
            ClusterDomain = options.ClusterDomain,
            IngressWorkload = options.IngressWorkload,
            IstioRevision = options.IstioRevision,
            NamespaceRevisions = input.Workloads.Select(w => w.Metadata.Namespace() ?? string.Empty).Distinct()
                .Select(n => (Namespace: n, Revision: state.IstioRevisionOf(n))).Where(r => r.Revision is not null).ToDictionary(r => r.Namespace, r => r.Revision!),
            ApiServerAddresses = state.ApiServerAddresses,
        };
        var result = MeshTransform.Apply(input, transformOptions);
        var key = new ResourceKey(VirtualServer.KubeKind, ns, name);
        var waitingFor = server is null ? null : await egress.PrepareAsync(server, result, cancellationToken).ConfigureAwait(false);
        foreach (var (identity, keys) in waiting)
        {
            if (identity != waitingFor?.Identity)
            {
                keys.TryRemove(ObjectKeys.Of(ns, name), out _);
            }
        }

        if (server is not null && waitingFor is { } pendingOn)
        {
            waiting.GetOrAdd(pendingOn.Identity, _ => new(StringComparer.Ordinal)).TryAdd(ObjectKeys.Of(ns, name), 0);
            events.Record(key, VirtualServer.KubeApiVersion, "Warning", EventReasons.CertificatePending, pendingOn.Problem is { } problem
                ? $"egress-mtls waits for a mesh certificate for {pendingOn.Identity}: {problem}; the EgressMTLS Policy is not referenced until one is issued"
                : $"egress-mtls waits for a mesh certificate for {pendingOn.Identity}; no certificate source has issued one yet, so the EgressMTLS Policy is not referenced");
            var pending = MeshStatus.With(server, MeshStatus.Of(server, key, result.Diagnostics, pendingOn.Identity, null));
            LogStatus(server, pending);
            await writer.PatchGuardedAsync(ResourceTypes.VirtualServers, server, pending, ModelJsonContext.Default.VirtualServer, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.After(TimeSpan.FromMinutes(1));
        }

        var presenting = egress.IdentityOf(result, ns);
        var output = server is null ? null
            : MeshStatus.With(result.VirtualServers[0], MeshStatus.Of(result.VirtualServers[0], key, result.Diagnostics, null, presenting));
        LogStatus(server, output);
        await WriteAsync(input, result, output, cancellationToken).ConfigureAwait(false);
        await egress.RetireAsync(ns, name, output, cancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in result.Diagnostics.Where(d => d.Resource == key && d.Severity != DiagnosticSeverity.Info))
        {
            var detail = string.IsNullOrEmpty(diagnostic.Path) ? diagnostic.Message : $"{diagnostic.Path}: {diagnostic.Message}";
            Problem(key, diagnostic.Severity == DiagnosticSeverity.Error ? "Warning" : "Normal", diagnostic.Reason, detail);
        }

        if (server is not null && MeshModes.TryParse(server.Metadata.Annotation(MeshAnnotations.Mode), out var mode) && mode != MeshMode.None &&
            !instances.Any(i => i.Instance.Serves(server.Spec?.IngressClassName)))
        {
            var ingressClass = string.IsNullOrEmpty(server.Spec?.IngressClassName) ? "(none: served by every NIC instance)" : server.Spec!.IngressClassName;
            Problem(key, "Warning", EventReasons.NicInstanceNotFound,
                $"no NIC instance serves ingress class {ingressClass}: MeshBridge found no IngressClass of controller nginx.org/ingress-controller with a NIC Deployment, DaemonSet or StatefulSet running -ingress-class for it, so no NIC pods were enrolled (routes are meshed regardless)");
        }

        if (presenting is not null && certificates.Trouble(presenting) is { } trouble)
        {
            // The Secrets keep the current certificate; say so before it expires. One Event per distinct failure.
            Problem(key, "Warning", EventReasons.CertificateRenewalFailed,
                $"renewing the mesh certificate for {presenting} failed: {trouble.LastError.Message}; the current certificate stays in use until " +
                $"{trouble.ServedUntil.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} and renewal is retried with backoff");
        }

        if (presenting is not null && state.MeshConfig(state.EffectiveIstioRevision(presenting.ServiceAccount.Namespace)).Problem is { } meshConfigProblem)
        {
            Problem(key, "Warning", EventReasons.MeshConfigInvalid, meshConfigProblem);
        }

        // Back when the certificate it presents is due for renewal, so the new one reaches its Secrets.
        return presenting is not null && certificates.RenewalDue(presenting) is { } due
            ? ReconcileResult.After(Max(due - options.Time.GetUtcNow(), TimeSpan.FromSeconds(1)))
            : ReconcileResult.Done;
    }

    /// <summary>
    /// This VirtualServer first, then the others on its host (they share its VirtualServerRoutes, whose mode they
    /// must agree on). Everything else that counts — what other VirtualServers ask of the NIC instances, which
    /// Policies they use — comes from the index as summaries.
    /// </summary>
    private List<VirtualServer> OnSameHost(VirtualServer server)
    {
        var key = ObjectKeys.Of(server);
        var others = servers.Hosts.On(server.Spec?.Host)
            .Where(k => k != key)
            .Order(StringComparer.Ordinal)
            .Select(k => ObjectKeys.Split(k))
            .Select(k => state.VirtualServers.Get(k.Namespace, k.Name))
            .OfType<VirtualServer>()
            .Where(s => Tracked(s) && Shares(s.Spec?.IngressClassName, server.Spec?.IngressClassName));
        return [server, .. others];
    }

    /// <summary>The VirtualServerRoutes on these servers' hosts, and any a route names explicitly (NIC rejects those on another host).</summary>
    private List<VirtualServerRoute> RoutesFor(List<VirtualServer> inputServers)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var server in inputServers)
        {
            keys.UnionWith(routeHosts.On(server.Spec?.Host));
            var ns = server.Metadata.Namespace();
            foreach (var reference in (server.Spec?.Routes ?? []).Select(r => r.RouteReference).OfType<string>().Where(r => r.Length > 0))
            {
                keys.Add(reference.Contains('/', StringComparison.Ordinal) ? reference : $"{ns}/{reference}");
            }
        }

        return keys.Select(k => ObjectKeys.Split(k)).Select(k => state.VirtualServerRoutes.Get(k.Namespace, k.Name)).OfType<VirtualServerRoute>().ToList();
    }

    /// <summary>Logs where a VirtualServer stands when that changes (the status annotation is the decision's summary).</summary>
    private void LogStatus(VirtualServer? before, VirtualServer? after)
    {
        var status = after?.Metadata.Annotation(MeshAnnotations.Status);
        if (after is not null && status != before?.Metadata.Annotation(MeshAnnotations.Status))
        {
            ReconcileLog.StatusChanged(logger, ObjectKeys.Of(after), status ?? "not meshed");
        }
    }

    private void Problem(ResourceKey key, string type, string reason, string message)
    {
        ReconcileLog.Problem(logger, key.Kind, $"{key.Namespace}/{key.Name}", reason, message);
        events.Record(key, VirtualServer.KubeApiVersion, type, reason, message);
    }

    private static NicInstance InstanceOf(Workload workload) =>
        NicInstance.Describe(workload, new ResourceKey(workload.Kind ?? "Deployment", workload.Metadata.Namespace() ?? string.Empty, workload.Metadata.Name ?? string.Empty));

    /// <summary>A VirtualServer MeshBridge handles: of a handled class, in a namespace the selector admits.</summary>
    private bool Tracked(VirtualServer server) => Handled(server.Spec?.IngressClassName) && state.NamespaceSelected(server.Metadata.Namespace() ?? string.Empty);

    private bool Handled(string? ingressClass) => options.IngressClass is null || Shares(ingressClass, options.IngressClass);

    /// <summary>
    /// Writes the VirtualServer, its VirtualServerRoutes and NIC workloads. The egress-mtls Policy and Secrets are
    /// <see cref="EgressObjects"/>' (owner-referenced, so the transform's own retiring of Policies is not used here).
    /// </summary>
    private async Task WriteAsync(TransformInput input, TransformResult result, VirtualServer? output, CancellationToken cancellationToken)
    {
        if (output is not null && !ReferenceEquals(input.VirtualServers[0], output) &&
            await writer.PatchGuardedAsync(ResourceTypes.VirtualServers, input.VirtualServers[0], output, ModelJsonContext.Default.VirtualServer, cancellationToken).ConfigureAwait(false))
        {
            var wasMeshed = input.VirtualServers[0].Metadata.Annotation(MeshAnnotations.Applied) is not null;
            var isMeshed = output.Metadata.Annotation(MeshAnnotations.Applied) is not null;
            if (isMeshed || wasMeshed)
            {
                events.Record(ObjectKey(output), VirtualServer.KubeApiVersion, "Normal", isMeshed ? EventReasons.Meshed : EventReasons.Reverted,
                    isMeshed ? output.Metadata.Annotation(MeshAnnotations.Status) ?? "meshed" : "MeshBridge's changes were undone; the VirtualServer is as its author wrote it");
            }
        }

        for (var i = 0; i < input.VirtualServerRoutes.Count; i++)
        {
            if (!ReferenceEquals(input.VirtualServerRoutes[i], result.VirtualServerRoutes[i]))
            {
                await writer.PatchGuardedAsync(ResourceTypes.VirtualServerRoutes, input.VirtualServerRoutes[i], result.VirtualServerRoutes[i], ModelJsonContext.Default.VirtualServerRoute, cancellationToken).ConfigureAwait(false);
            }
        }

        for (var i = 0; i < input.Workloads.Count; i++)
        {
            if (!ReferenceEquals(input.Workloads[i], result.Workloads[i]) &&
                await writer.PatchWorkloadAsync(WorkloadType(input.Workloads[i].Kind), input.Workloads[i], result.Workloads[i], cancellationToken).ConfigureAwait(false))
            {
                var enrolled = result.Workloads[i].Metadata.Annotation(MeshAnnotations.Applied) is not null;
                events.Record(ObjectKey(result.Workloads[i]), "apps/v1", "Normal", enrolled ? EventReasons.Enrolled : EventReasons.Unenrolled,
                    enrolled ? "the NIC pods' template now carries the mesh enrollment its VirtualServers ask for; pods restart to pick it up" : "MeshBridge's enrollment was removed from the NIC pods' template");
            }
        }
    }

    private static ResourceKey ObjectKey(KubernetesObject obj) => new(obj.Kind ?? string.Empty, obj.Metadata.Namespace() ?? string.Empty, obj.Metadata.Name ?? string.Empty);

    private static ResourceType WorkloadType(string? kind) => kind switch
    {
        "DaemonSet" => ResourceTypes.DaemonSets,
        "StatefulSet" => ResourceTypes.StatefulSets,
        _ => ResourceTypes.Deployments,
    };

    private static bool Shares(string? a, string? b) => string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b) || a == b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
