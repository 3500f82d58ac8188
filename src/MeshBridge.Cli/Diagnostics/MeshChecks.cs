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
internal static class MeshChecks
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

    private static NicInstanceReport NicReport(Workload workload, NicInstance instance, ClusterSnapshot snapshot, string trustDomain)
    {
        var (enrollment, source) = Enrollment(workload, snapshot.Namespace(instance.Identity.Namespace));
        var pods = snapshot.NicPods.GetValueOrDefault(WorkloadKey(instance)) ?? [];
        return new NicInstanceReport
        {
            Workload = WorkloadKey(instance),
            Pods = pods.Count,
            PodsInMesh = pods.Count(InMesh),
            IngressClass = instance.IngressClass,
            ServiceAccount = instance.Identity.ToString(),
            SpiffeId = instance.Identity.SpiffeId(trustDomain),
            Enrollment = enrollment,
            EnrollmentSource = source,
            EnrolledByMeshBridge = workload.Metadata.Annotation(MeshAnnotations.Applied) is not null,
        };
    }

    /// <summary>What the pod template's labels, else its namespace's, enroll the pods in (reference/istio.md §7).</summary>
    private static (string Enrollment, string? Source) Enrollment(Workload workload, GenericObject? ns)
    {
        var pod = workload.Spec?.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
        var nsLabels = ns?.Metadata.Labels ?? new Dictionary<string, string>();
        var injectLabel = pod.GetValueOrDefault(SidecarInjectLabel);
        if (injectLabel == "true")
        {
            return ("sidecar", $"pod label {SidecarInjectLabel}=true");
        }

        if (injectLabel != "false")
        {
            if (pod.TryGetValue(MeshFacts.RevisionLabel, out var rev))
            {
                return ("sidecar", $"pod label {MeshFacts.RevisionLabel}={rev}");
            }

            if (nsLabels.GetValueOrDefault(MeshFacts.InjectionLabel) == "enabled")
            {
                return ("sidecar", $"namespace label {MeshFacts.InjectionLabel}=enabled");
            }

            if (!nsLabels.ContainsKey(MeshFacts.InjectionLabel) && nsLabels.TryGetValue(MeshFacts.RevisionLabel, out var nsRev))
            {
                return ("sidecar", $"namespace label {MeshFacts.RevisionLabel}={nsRev}");
            }
        }

        if (pod.GetValueOrDefault(DataplaneModeLabel) == "ambient")
        {
            return ("ambient", $"pod label {DataplaneModeLabel}=ambient");
        }

        if (pod.GetValueOrDefault(DataplaneModeLabel) != "none" && nsLabels.GetValueOrDefault(DataplaneModeLabel) == "ambient")
        {
            return ("ambient", $"namespace label {DataplaneModeLabel}=ambient");
        }

        return ("none", null);
    }

    /// <summary>A pod really in the mesh: the injected <c>istio-proxy</c> (container, or native sidecar init container), or istio-cni's ambient redirection.</summary>
    private static bool InMesh(GenericObject pod)
    {
        if (pod.Metadata.Annotation("ambient.istio.io/redirection") == "enabled")
        {
            return true;
        }

        return pod.Extra?.GetValueOrDefault("spec") is { ValueKind: JsonValueKind.Object } spec &&
            new[] { "containers", "initContainers" }.Any(field => spec.TryGetProperty(field, out var list) && list.ValueKind == JsonValueKind.Array &&
                list.EnumerateArray().Any(c => c.TryGetProperty("name", out var name) && name.GetString() == "istio-proxy"));
    }

    private static void CheckInstances(MeshMode mode, VirtualServer server, List<NicInstanceReport> instances, Problems problems)
    {
        if (instances.Count == 0)
        {
            var ingressClass = string.IsNullOrEmpty(server.Spec?.IngressClassName) ? "(none: every NIC instance)" : server.Spec!.IngressClassName;
            problems.Add(ProblemCodes.NicInstanceNotFound, ProblemSeverity.Error, $"VirtualServer {problems.Namespace}/{server.Metadata.Name}",
                $"no NIC instance serves ingress class {ingressClass}: no IngressClass of controller {MeshFacts.NicController} with a NIC Deployment, DaemonSet or StatefulSet running -ingress-class for it");
            return;
        }

        foreach (var nic in instances)
        {
            var subject = $"NIC {nic.Workload}";
            if (mode == MeshMode.EgressMtls && nic.Enrollment != "none" && !problems.Has("EnrolledOutsideMeshBridge"))
            {
                problems.Add(ProblemCodes.NicEnrolled, ProblemSeverity.Error, subject,
                    $"egress-mtls needs NIC outside the mesh dataplane, but its pods are enrolled in {nic.Enrollment} ({nic.EnrollmentSource})");
            }
            else if (mode == MeshMode.EgressMtls && nic.PodsInMesh > 0)
            {
                problems.Add(ProblemCodes.NicEnrolled, ProblemSeverity.Error, subject,
                    $"egress-mtls needs NIC outside the mesh dataplane, but {nic.PodsInMesh} of its {nic.Pods} running pods are in the mesh (an istio-proxy container or ambient redirection)");
            }
            else if (mode.UsesClusterIP() && nic.Enrollment == mode.ToName() && nic.PodsInMesh < nic.Pods)
            {
                problems.Add(ProblemCodes.NicPodsNotInMesh, ProblemSeverity.Error, subject,
                    $"the pod template enrolls NIC in {nic.Enrollment}, but {nic.Pods - nic.PodsInMesh} of its {nic.Pods} running pods are not in the mesh ({(mode == MeshMode.Sidecar ? "no istio-proxy container" : "no ambient.istio.io/redirection: enabled")})");
            }
            else if (mode.UsesClusterIP() && nic.Enrollment != mode.ToName())
            {
                problems.Add(ProblemCodes.NicNotEnrolled, ProblemSeverity.Error, subject,
                    nic.Enrollment == "none"
                        ? $"mode {mode.ToName()} needs NIC's pods enrolled in {mode.ToName()}, but neither their pod template nor namespace enrolls them"
                        : $"mode {mode.ToName()} needs NIC's pods enrolled in {mode.ToName()}, but they are enrolled in {nic.Enrollment} ({nic.EnrollmentSource})");
            }
        }
    }

    private static UpstreamReport Upstream(Upstream upstream, VirtualServer server, string ns, MeshMode mode, ClusterSnapshot snapshot, string? nicSpiffeId, Problems problems)
    {
        var upstreamName = upstream.Name ?? string.Empty;
        var subject = $"upstream {upstreamName}";
        var serviceKey = ServiceKey(upstream.Service, ns);
        var report = new UpstreamReport { Name = upstreamName, Service = serviceKey, Port = upstream.Port, HostHeader = HostHeader(server, upstreamName) };
        if (mode == MeshMode.None)
        {
            return report;
        }

        if (mode.UsesClusterIP() && upstream.UseClusterIP != true)
        {
            problems.Add(ProblemCodes.UpstreamNotMeshed, ProblemSeverity.Error, subject, $"mode {mode.ToName()} sends NIC's traffic to the Service's cluster IP, but use-cluster-ip is not true");
        }
        else if (mode == MeshMode.EgressMtls && upstream.Tls?.Enable != true)
        {
            problems.Add(ProblemCodes.UpstreamNotMeshed, ProblemSeverity.Error, subject, "egress-mtls needs tls.enable: true on the upstream, but it is not set");
        }

        if (mode.UsesClusterIP() && report.HostHeader is null)
        {
            problems.Add(ProblemCodes.HostHeaderMissing, ProblemSeverity.Error, subject, "no route sets the Host header Istio routes on (requestHeaders.set Host)");
        }

        if (serviceKey is null || !snapshot.Services.TryGetValue(serviceKey, out var service))
        {
            problems.Add(ProblemCodes.ServiceNotFound, ProblemSeverity.Error, subject, $"Service {serviceKey ?? "(none named)"} does not exist");
            return report with { XfccNote = "no Service" };
        }

        report = report with { ServiceFound = true };
        var spec = service.Extra?.GetValueOrDefault("spec");
        var port = spec is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty("ports", out var ports) && ports.ValueKind == JsonValueKind.Array
            ? ports.EnumerateArray().FirstOrDefault(p => p.TryGetProperty("port", out var n) && n.TryGetInt32(out var v) && v == upstream.Port)
            : default;
        if (port.ValueKind != JsonValueKind.Object)
        {
            problems.Add(ProblemCodes.ServicePortNotFound, ProblemSeverity.Error, subject, $"Service {serviceKey} has no port {upstream.Port?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}");
            return report with { XfccNote = "no such Service port" };
        }

        var portName = port.TryGetProperty("name", out var pn) ? pn.GetString() : null;
        var appProtocol = port.TryGetProperty("appProtocol", out var ap) ? ap.GetString() : null;
        var (protocol, isHttp) = PortProtocol.Of(portName, appProtocol);
        int? targetPort = port.TryGetProperty("targetPort", out var tp) ? (tp.ValueKind == JsonValueKind.Number ? tp.GetInt32() : null) : upstream.Port;
        var targetText = port.TryGetProperty("targetPort", out var tpt) ? tpt.ToString() : upstream.Port?.ToString(CultureInfo.InvariantCulture);
        var serviceNamespace = serviceKey[..serviceKey.IndexOf('/', StringComparison.Ordinal)];
        var selector = spec is { } sp && sp.TryGetProperty("selector", out var sel) && sel.ValueKind == JsonValueKind.Object
            ? sel.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal)
            : null;
        report = report with { PortName = portName, AppProtocol = appProtocol, Protocol = protocol, ProtocolDeclaredHttp = isHttp, TargetPort = targetText };

        if (!isHttp && mode != MeshMode.Ambient)
        {
            var found = protocol == PortProtocol.Undeclared ? $"port {upstream.Port} (name \"{portName}\", no appProtocol) declares no protocol" : $"port {upstream.Port} is declared {protocol}, not HTTP";
            problems.Add(ProblemCodes.PortProtocolUndeclared, mode == MeshMode.EgressMtls ? ProblemSeverity.Error : ProblemSeverity.Warning, $"Service {serviceKey}",
                mode == MeshMode.EgressMtls
                    ? $"{found}: under STRICT the sidecar terminates NGINX's TLS and proxies TCP, so the backend gets no XFCC and no HTTP policy applies"
                    : $"{found}: Istio falls back to protocol sniffing; declare it so the backend's sidecar treats it as HTTP and adds XFCC");
        }

        string? paMode = null;
        string? paSource = null;
        if (snapshot.PeerAuthentications is null)
        {
            problems.Add(ProblemCodes.PeerAuthenticationNotServed, ProblemSeverity.Warning, subject, "the cluster serves no security.istio.io PeerAuthentication (v1 or v1beta1)");
        }
        else
        {
            (paMode, paSource) = PeerAuthenticationResolver.Resolve(snapshot.PeerAuthentications, snapshot.IstioNamespace, serviceNamespace, selector, targetPort);
            if (mode == MeshMode.EgressMtls && paMode != PeerAuthenticationResolver.Strict)
            {
                problems.Add(ProblemCodes.PeerAuthenticationNotStrict, ProblemSeverity.Error, $"Service {serviceKey}",
                    $"egress-mtls needs STRICT mTLS at the backend, but it is {paMode} ({paSource})");
            }
            else if (mode.UsesClusterIP() && paMode == PeerAuthenticationResolver.Disable)
            {
                problems.Add(ProblemCodes.PeerAuthenticationDisabled, ProblemSeverity.Error, $"Service {serviceKey}",
                    $"mTLS is DISABLE at the backend ({paSource}): NIC's traffic arrives in plaintext and carries no identity");
            }
        }

        var (xfcc, note) = mode switch
        {
            MeshMode.Ambient => ((string?)null, "none: ztunnel works at L4 and adds no XFCC without a waypoint (reference/istio.md §7)"),
            _ when !isHttp => (null, "none: the port is not declared HTTP, so the sidecar proxies TCP"),
            MeshMode.EgressMtls when paMode != PeerAuthenticationResolver.Strict => (null, "none: the backend does not terminate NGINX's mTLS unless STRICT"),
            MeshMode.Sidecar when paMode == PeerAuthenticationResolver.Disable => (null, "none: mTLS is disabled at the backend"),
            _ => (nicSpiffeId, nicSpiffeId is null ? "none: no NIC instance" : "the last XFCC element's URI="),
        };
        return report with { PeerAuthentication = paMode, PeerAuthenticationSource = paSource, XfccIdentity = xfcc, XfccNote = note };
    }

    /// <summary>The Host the routes set for this upstream (<c>requestHeaders.set</c> of a proxy action).</summary>
    private static string? HostHeader(VirtualServer server, string upstream)
    {
        foreach (var action in Actions(server.Spec?.Routes))
        {
            if (action.Proxy is { } proxy && proxy.Upstream == upstream &&
                proxy.RequestHeaders?.Set?.FirstOrDefault(h => string.Equals(h.Name, "Host", StringComparison.OrdinalIgnoreCase)) is { Value: { } host })
            {
                return host;
            }
        }

        return null;
    }

    /// <summary>The four places an action sits in a route (reference/nic.md §1).</summary>
    private static IEnumerable<RouteAction> Actions(IReadOnlyList<Route>? routes)
    {
        foreach (var route in routes ?? [])
        {
            var actions = new List<RouteAction?> { route.Action };
            actions.AddRange((route.Splits ?? []).Select(s => s.Action));
            foreach (var match in route.Matches ?? [])
            {
                actions.Add(match.Action);
                actions.AddRange((match.Splits ?? []).Select(s => s.Action));
            }

            foreach (var action in actions.OfType<RouteAction>())
            {
                yield return action;
            }
        }
    }

    private static CertificateReport Certificate(VirtualServer server, string ns, NicIdentity identity, string trustDomain, ClusterSnapshot snapshot, DateTimeOffset now, Problems problems)
    {
        var policy = EgressMtlsPolicyBuilder.PolicyName(identity);
        if (!(server.Spec?.Policies ?? []).Any(p => p.Name == policy && (p.Namespace is null or "" || p.Namespace == ns)))
        {
            problems.Add(ProblemCodes.PolicyNotReferenced, ProblemSeverity.Error, $"VirtualServer {ns}/{server.Metadata.Name}",
                $"spec.policies does not reference the EgressMTLS Policy {policy}, so NGINX presents no mesh certificate");
        }

        var secretKey = $"{ns}/{EgressMtlsPolicyBuilder.TlsSecretName(identity)}";
        if (snapshot.ForbiddenSecrets.Contains(secretKey))
        {
            problems.Add(ProblemCodes.SecretForbidden, ProblemSeverity.Warning, $"Secret {secretKey}", "you may not read this Secret, so its certificate was not checked");
            return new CertificateReport { Secret = secretKey, Found = true };
        }

        var (report, unreadable) = CertificateInspector.Inspect(secretKey, snapshot.Secrets.GetValueOrDefault(secretKey), now);
        var subject = $"Secret {secretKey}";
        var expected = identity.SpiffeId(trustDomain);
        if (!report.Found)
        {
            problems.Add(ProblemCodes.CertificateMissing, ProblemSeverity.Error, subject, $"the certificate Secret for {expected} does not exist");
        }
        else if (unreadable is not null)
        {
            problems.Add(ProblemCodes.CertificateUnreadable, ProblemSeverity.Error, subject, unreadable);
        }
        else
        {
            if (report.Expired)
            {
                problems.Add(ProblemCodes.CertificateExpired, ProblemSeverity.Error, subject,
                    $"the certificate expired at {report.NotAfter:yyyy-MM-dd'T'HH:mm:ss'Z'}: the backends' sidecars refuse NGINX's mTLS");
            }
            else if (report.NextRotation < now - TimeSpan.FromMinutes(5))
            {
                problems.Add(ProblemCodes.CertificateRenewalOverdue, ProblemSeverity.Warning, subject,
                    $"the certificate was due for renewal at {report.NextRotation:yyyy-MM-dd'T'HH:mm:ss'Z'} and expires at {report.NotAfter:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            }

            if (report.Identity != expected)
            {
                problems.Add(ProblemCodes.CertificateIdentityMismatch, ProblemSeverity.Error, subject,
                    $"the certificate is for {report.Identity ?? "no URI SAN"}, not NIC's identity {expected}");
            }
        }

        var caKey = $"{ns}/{EgressMtlsPolicyBuilder.CaSecretName(identity)}";
        if (!snapshot.Secrets.ContainsKey(caKey) && !snapshot.ForbiddenSecrets.Contains(caKey))
        {
            problems.Add(ProblemCodes.CertificateMissing, ProblemSeverity.Error, $"Secret {caKey}", "the mesh root bundle Secret (nginx.org/ca) does not exist");
        }

        return report;
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
