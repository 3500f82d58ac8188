using System.Globalization;
using System.Text.Json;
using MeshBridge.Controller.Caching;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>
/// The checks of <c>meshbridge describe</c> and <c>doctor</c>, as pure functions of a <see cref="ClusterSnapshot"/>.
/// NIC instances are found as the controller finds them (<see cref="NicWorkloads"/>, <see cref="MeshFacts"/>), and
/// what the controller would decide — conflicts included — comes from the same transform it runs
/// (<see cref="MeshTransform"/>), so describe never second-guesses it with rules of its own.
/// </summary>
internal static partial class MeshChecks
{
    // Istio's injection and dataplane labels (reference/istio.md §7): the pod label wins over the namespace's.
    private const string SidecarInjectLabel = "sidecar.istio.io/inject";
    private const string DataplaneModeLabel = "istio.io/dataplane-mode";

    /// <summary>Every VirtualServer carrying <c>meshbridge.io/mode</c>, sorted by namespace and name.</summary>
    public static IReadOnlyList<VirtualServerReport> DescribeAll(ClusterSnapshot snapshot, DiagnosticsOptions options, DateTimeOffset now)
    {
        var transform = Transform(snapshot, options);
        return snapshot.VirtualServers
            .Where(s => s.Metadata.Annotation(MeshAnnotations.Mode) is not null)
            .OrderBy(s => s.Metadata.Namespace(), StringComparer.Ordinal).ThenBy(s => s.Metadata.Name, StringComparer.Ordinal)
            .Select(s => Describe(s, snapshot, options, transform, now))
            .ToList();
    }

    public static VirtualServerReport Describe(VirtualServer server, ClusterSnapshot snapshot, DiagnosticsOptions options, DateTimeOffset now) =>
        Describe(server, snapshot, options, Transform(snapshot, options), now);

    /// <summary><c>ns/name</c> of an upstream's Service (<c>svc</c> or, NIC 5.3+, <c>ns/svc</c>).</summary>
    public static string? ServiceKey(string? service, string ns) =>
        string.IsNullOrEmpty(service) ? null : service.Contains('/', StringComparison.Ordinal) ? service : $"{ns}/{service}";

    /// <summary>The NIC instances serving the VirtualServer's class, found as the controller finds them.</summary>
    public static IReadOnlyList<(Workload Workload, NicInstance Instance)> ServingInstances(VirtualServer server, ClusterSnapshot snapshot, WorkloadReference? named)
    {
        var nics = new NicWorkloads(named);
        foreach (var workload in snapshot.Workloads)
        {
            nics.For(workload.Kind ?? "Deployment", () => { }).OnAdd(workload);
        }

        return nics.List()
            .Select(w => (Workload: w, Instance: NicInstance.Describe(w, new ResourceKey(w.Kind ?? "Deployment", w.Metadata.Namespace() ?? string.Empty, w.Metadata.Name ?? string.Empty))))
            .Where(i => named is not null || MeshFacts.IsNicIngressClass(snapshot.IngressClasses.FirstOrDefault(c => c.Metadata.Name == i.Instance.IngressClass)))
            .Where(i => i.Instance.Serves(server.Spec?.IngressClassName))
            .ToList();
    }

    /// <summary><c>namespace/Kind/name</c> of a NIC instance's workload.</summary>
    public static string WorkloadKey(NicInstance instance) => $"{instance.Workload.Namespace}/{instance.Workload.Kind}/{instance.Workload.Name}";

    /// <summary>The workload's <c>spec.selector.matchLabels</c> as a label selector; null when it has none.</summary>
    public static string? PodSelector(Workload workload) =>
        workload.Spec?.Extra?.GetValueOrDefault("selector") is { ValueKind: JsonValueKind.Object } selector &&
        selector.TryGetProperty("matchLabels", out var labels) && labels.ValueKind == JsonValueKind.Object && labels.EnumerateObject().Any()
            ? string.Join(",", labels.EnumerateObject().Select(l => $"{l.Name}={l.Value}"))
            : null;

    private static TransformResult Transform(ClusterSnapshot snapshot, DiagnosticsOptions options)
    {
        var workloads = snapshot.Workloads.Where(w => options.IngressWorkload is { } n
            ? n.Namespace == w.Metadata.Namespace() && n.Kind == w.Kind && n.Name == w.Metadata.Name
            : NicInstance.LooksLikeNic(w)).ToList();
        return MeshTransform.Apply(
            new TransformInput { VirtualServers = snapshot.VirtualServers, VirtualServerRoutes = snapshot.VirtualServerRoutes, Policies = snapshot.Policies, Workloads = workloads },
            new TransformOptions
            {
                ClusterDomain = options.ClusterDomain,
                IngressWorkload = options.IngressWorkload,
                NamespaceRevisions = workloads.Select(w => w.Metadata.Namespace() ?? string.Empty).Distinct()
                    .Select(n => (Namespace: n, Revision: MeshFacts.IstioRevisionOf(snapshot.Namespace(n))))
                    .Where(r => r.Revision is not null).ToDictionary(r => r.Namespace, r => r.Revision!),
            });
    }

    private static VirtualServerReport Describe(VirtualServer server, ClusterSnapshot snapshot, DiagnosticsOptions options, TransformResult transform, DateTimeOffset now)
    {
        var ns = server.Metadata.Namespace() ?? "default";
        var name = server.Metadata.Name ?? string.Empty;
        var problems = new Problems(ns);
        var modeText = server.Metadata.Annotation(MeshAnnotations.Mode) ?? "none";
        MeshModes.TryParse(server.Metadata.Annotation(MeshAnnotations.Mode), out var mode);

        // The controller's own view first: what the transform decides now, then what the controller last wrote.
        var key = new ResourceKey(VirtualServer.KubeKind, ns, name);
        foreach (var diagnostic in transform.Diagnostics.Where(d => d.Resource == key && d.Severity != DiagnosticSeverity.Info))
        {
            problems.Add(diagnostic.Reason, diagnostic.Severity == DiagnosticSeverity.Error ? ProblemSeverity.Error : ProblemSeverity.Warning,
                $"VirtualServer {ns}/{name}", string.IsNullOrEmpty(diagnostic.Path) ? diagnostic.Message : $"{diagnostic.Path}: {diagnostic.Message}");
        }

        var status = server.Metadata.Annotation(MeshAnnotations.Status);
        if (mode != MeshMode.None)
        {
            CheckStatus(status, server, ns, problems);
        }

        var instances = ServingInstances(server, snapshot, options.IngressWorkload);
        var trust = MeshFacts.MeshConfig(snapshot.IstioConfigMaps, instances.Count > 0 ? MeshFacts.IstioRevisionOf(snapshot.Namespace(instances[0].Instance.Identity.Namespace)) : null);
        if (trust.Problem is { } meshProblem && mode != MeshMode.None)
        {
            problems.Add(ProblemCodes.MeshConfigInvalid, ProblemSeverity.Warning, $"ConfigMap {trust.ConfigMap}", meshProblem);
        }

        var nicReports = instances.Select(i => NicReport(i.Workload, i.Instance, snapshot, trust.TrustDomain)).ToList();
        if (mode != MeshMode.None)
        {
            CheckInstances(mode, server, nicReports, problems);
        }

        var identity = instances.Count > 0 ? instances[0].Instance.Identity : (NicIdentity?)null;
        var upstreams = (server.Spec?.Upstreams ?? []).Select(u => Upstream(u, server, ns, mode, snapshot, identity?.SpiffeId(trust.TrustDomain), problems)).ToList();
        var certificate = mode == MeshMode.EgressMtls && identity is { } nic ? Certificate(server, ns, nic, trust.TrustDomain, snapshot, now, problems) : null;
        return new VirtualServerReport
        {
            Namespace = ns,
            Name = name,
            Mode = modeText,
            Status = status,
            IngressClass = server.Spec?.IngressClassName,
            TrustDomain = mode == MeshMode.None ? null : trust.TrustDomain,
            NicInstances = nicReports,
            Upstreams = mode == MeshMode.None ? [] : upstreams,
            Certificate = certificate,
            Problems = problems.List,
        };
    }

    private static void CheckStatus(string? status, VirtualServer server, string ns, Problems problems)
    {
        var subject = $"VirtualServer {ns}/{server.Metadata.Name}";
        if (status is null)
        {
            problems.Add(ProblemCodes.NotMeshed, ProblemSeverity.Error, subject, $"no {MeshAnnotations.Status} annotation: MeshBridge has not meshed this VirtualServer");
        }
        else if (status.StartsWith("Error: ", StringComparison.Ordinal))
        {
            var rest = status["Error: ".Length..];
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            problems.Add(colon > 0 ? rest[..colon] : ProblemCodes.NotMeshed, ProblemSeverity.Error, subject, $"the controller reports: {status}");
        }
        else if (status.StartsWith("Pending: ", StringComparison.Ordinal))
        {
            problems.Add(ProblemCodes.CertificatePending, ProblemSeverity.Error, subject, $"the controller reports: {status}");
        }
    }

    /// <summary>The problems found so far; one per code and subject.</summary>
    private sealed class Problems(string ns)
    {
        public string Namespace { get; } = ns;

        public List<ProblemReport> List { get; } = [];

        public bool Has(string code) => List.Any(p => p.Code == code);

        public void Add(string code, string severity, string subject, string message)
        {
            if (!List.Any(p => p.Code == code && p.Subject == subject))
            {
                List.Add(new ProblemReport(code, severity, subject, message, ProblemCodes.Remedy(code, Namespace)));
            }
        }
    }
}
