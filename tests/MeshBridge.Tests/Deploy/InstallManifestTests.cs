using System.Text.Json.Nodes;

namespace MeshBridge.Tests.Deploy;

/// <summary>
/// deploy/ (the Kustomize base and the sidecar-ambient and egress-mtls overlays) as the real kubectl 1.33
/// renders it: least-privilege RBAC with no wildcard, a token for NIC's service account only where egress-mtls
/// needs it, two leader-electing replicas probed on the probe port, a locked-down pod, a disruption budget and a
/// metrics Service that select those pods, and an image an overlay can replace.
/// </summary>
public sealed class InstallManifestTests
{
    public const string SidecarAmbient = "overlays/sidecar-ambient";
    public const string EgressMtls = "overlays/egress-mtls";

    private const string ControllerNamespace = "meshbridge-system";

    public static TheoryData<string> Overlays => [SidecarAmbient, EgressMtls];

    /// <summary>The reviewed RBAC of every mode, in rule order: one line per rule. Each is explained in deploy/base/rbac.yaml.</summary>
    private static readonly string[] BaseRules =
    [
        "ClusterRole meshbridge: [k8s.nginx.org] [virtualservers virtualserverroutes] [] [list watch patch]",
        "ClusterRole meshbridge: [k8s.nginx.org] [policies] [] [list watch create update patch delete]",
        "ClusterRole meshbridge: [apps] [deployments daemonsets statefulsets] [] [list watch patch]",
        "ClusterRole meshbridge: [\"\"] [secrets] [] [list watch create patch delete]",
        "ClusterRole meshbridge: [\"\"] [namespaces] [] [list watch]",
        "ClusterRole meshbridge: [networking.k8s.io] [ingressclasses] [] [list watch]",
        "ClusterRole meshbridge: [events.k8s.io] [events] [] [create]",
        "Role default/meshbridge-apiserver-endpoints: [\"\"] [services] [kubernetes] [list watch]",
        "Role default/meshbridge-apiserver-endpoints: [discovery.k8s.io] [endpointslices] [] [list watch]",
        "Role istio-system/meshbridge-istio: [\"\"] [configmaps] [] [list watch]",
        "Role meshbridge-system/meshbridge-leader-election: [coordination.k8s.io] [leases] [] [create]",
        "Role meshbridge-system/meshbridge-leader-election: [coordination.k8s.io] [leases] [meshbridge-leader] [get update]",
    ];

    /// <summary>What the istio-ca certificate source adds (deploy/overlays/egress-mtls/nic-rbac.yaml).</summary>
    private static readonly string[] IstioCaRules =
    [
        "Role istio-system/meshbridge-istio-ca: [\"\"] [services] [istiod] [get]",
        "Role istio-system/meshbridge-istio-ca: [\"\"] [configmaps] [istio-ca-root-cert] [get]",
        "Role nginx-ingress/meshbridge-nic: [\"\"] [serviceaccounts/token] [nginx-ingress] [create]",
        "Role nginx-ingress/meshbridge-nic: [\"\"] [configmaps] [istio-ca-root-cert] [get]",
    ];

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task No_RBAC_rule_has_a_wildcard(string overlay)
    {
        var objects = await Kustomize.RenderAsync(overlay);

        var roles = objects.OfKind("Role", "ClusterRole").ToList();
        Assert.NotEmpty(roles);
        foreach (var role in roles)
        {
            Assert.Null(role["aggregationRule"]);
            var rules = role["rules"]!.AsArray();
            Assert.NotEmpty(rules);
            foreach (var rule in rules)
            {
                Assert.NotEmpty(rule!["verbs"].Strings());
                foreach (var field in new[] { "apiGroups", "resources", "resourceNames", "verbs", "nonResourceURLs" })
                {
                    var wild = rule[field].Strings().Where(v => v.Contains('*', StringComparison.Ordinal)).ToList();
                    Assert.True(wild.Count == 0, $"{role.Kind()} {role.Name()} grants {field} [{string.Join(", ", wild)}] in {overlay}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_RBAC_rules_are_exactly_the_reviewed_ones_in_a_stable_order(string overlay)
    {
        var objects = await Kustomize.RenderAsync(overlay);

        var expected = overlay == EgressMtls ? BaseRules.Concat(IstioCaRules).ToList() : [.. BaseRules];
        var actual = RuleLines(objects).ToList();
        var missing = expected.Except(actual, StringComparer.Ordinal).ToList();
        var extra = actual.Except(expected, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && actual.Count == expected.Count,
            $"RBAC of {overlay} differs from the reviewed table.\nmissing:\n  {string.Join("\n  ", missing)}\nnot reviewed:\n  {string.Join("\n  ", extra)}");

        // Rule order inside each role is the order of the files: a role's rules keep their positions.
        foreach (var role in objects.OfKind("Role", "ClusterRole"))
        {
            var key = RoleKey(role);
            var written = BaseRules.Concat(IstioCaRules).Where(l => l.StartsWith(key + ":", StringComparison.Ordinal)).ToList();
            Assert.Equal(written, RuleLines([role]).ToList());
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_role_is_bound_to_the_meshbridge_service_account_and_nothing_else(string overlay)
    {
        var objects = await Kustomize.RenderAsync(overlay);

        var account = objects.Single("ServiceAccount", "meshbridge");
        Assert.Equal(ControllerNamespace, account.Namespace());
        var bindings = objects.OfKind("RoleBinding", "ClusterRoleBinding").ToList();
        foreach (var role in objects.OfKind("Role", "ClusterRole"))
        {
            var binding = Assert.Single(bindings, b =>
                (string)b["roleRef"]!["kind"]! == role.Kind() && (string)b["roleRef"]!["name"]! == role.Name() && b.Namespace() == role.Namespace());
            Assert.Equal("rbac.authorization.k8s.io", (string)binding["roleRef"]!["apiGroup"]!);
            var subject = Assert.Single(binding["subjects"]!.AsArray())!;
            Assert.Equal(("ServiceAccount", "meshbridge", ControllerNamespace), ((string)subject["kind"]!, (string)subject["name"]!, (string)subject["namespace"]!));
        }

        Assert.Equal(objects.OfKind("Role", "ClusterRole").Count(), bindings.Count);
    }

    [Fact]
    public async Task Only_egress_mtls_mints_tokens_and_only_for_NICs_service_account()
    {
        var sidecar = await Kustomize.RenderAsync(SidecarAmbient);
        var egress = await Kustomize.RenderAsync(EgressMtls);

        Assert.Empty(ServiceAccountRules(sidecar));

        var (role, rule) = Assert.Single(ServiceAccountRules(egress));
        Assert.Equal(("Role", "nginx-ingress", "meshbridge-nic"), (role.Kind(), role.Namespace(), role.Name()));
        Assert.Equal(["serviceaccounts/token"], rule["resources"].Strings());
        Assert.Equal(["nginx-ingress"], rule["resourceNames"].Strings());
        Assert.Equal(["create"], rule["verbs"].Strings());
        Assert.Equal([""], rule["apiGroups"].Strings());

        Assert.Equal("none", CertificateSource(sidecar));
        Assert.Equal("istio-ca", CertificateSource(egress));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Two_leader_electing_replicas_serve_metrics_and_probes_on_their_ports(string overlay)
    {
        var objects = await Kustomize.RenderAsync(overlay);
        var deployment = objects.Single("Deployment", "meshbridge");
        var container = Container(deployment);

        Assert.Equal(ControllerNamespace, deployment.Namespace());
        Assert.Equal("2", (string)deployment["spec"]!["replicas"]!);
        var args = container["args"].Strings();
        Assert.Equal("run", args[0]);
        Assert.Contains("--leader-elect", args);
        Assert.Equal(":8080", After(args, "--metrics-bind-address"));
        Assert.Equal(":8081", After(args, "--health-probe-bind-address"));
        Assert.Equal(overlay == EgressMtls ? "istio-ca" : "none", After(args, "--certificate-source"));
        Assert.DoesNotContain("--leader-election-namespace", args);

        // The Lease goes to $POD_NAMESPACE, which must be the pod's namespace.
        var env = Assert.Single(container["env"]!.AsArray(), e => (string)e!["name"]! == "POD_NAMESPACE")!;
        Assert.Equal("metadata.namespace", (string)env["valueFrom"]!["fieldRef"]!["fieldPath"]!);

        Assert.Equal("8080", ContainerPort(container, "http-metrics"));
        foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
        {
            var get = container[probe]!["httpGet"]!;
            Assert.Equal(path, (string)get["path"]!);
            Assert.Equal("8081", ContainerPort(container, (string)get["port"]!));
        }

        var resources = container["resources"]!;
        Assert.Equal(("50m", "128Mi", "256Mi"), ((string)resources["requests"]!["cpu"]!, (string)resources["requests"]!["memory"]!, (string)resources["limits"]!["memory"]!));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_pod_runs_locked_down_outside_the_mesh(string overlay)
    {
        var objects = await Kustomize.RenderAsync(overlay);
        var deployment = objects.Single("Deployment", "meshbridge");
        var template = deployment["spec"]!["template"]!;
        var pod = template["spec"]!;
        var container = Container(deployment);
        var security = container["securityContext"]!;

        Assert.Equal("false", template["metadata"]!["labels"].StringMap()["sidecar.istio.io/inject"]);
        Assert.Equal("meshbridge", (string)pod["serviceAccountName"]!);
        Assert.Equal("true", (string)pod["automountServiceAccountToken"]!);
        Assert.Equal("true", (string)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal("true", (string)security["runAsNonRoot"]!);
        Assert.Equal("65532", (string)security["runAsUser"]!);
        Assert.Equal("true", (string)security["readOnlyRootFilesystem"]!);
        Assert.Equal("false", (string)security["allowPrivilegeEscalation"]!);
        Assert.Equal(["ALL"], security["capabilities"]!["drop"].Strings());
        Assert.Null(security["capabilities"]!["add"]);
        Assert.Equal("RuntimeDefault", (string)security["seccompProfile"]!["type"]!);

        // A read-only root, so /tmp is an emptyDir (the .NET runtime writes there).
        var mount = Assert.Single(container["volumeMounts"]!.AsArray(), m => (string)m!["mountPath"]! == "/tmp")!;
        var volume = Assert.Single(pod["volumes"]!.AsArray(), v => (string)v!["name"]! == (string)mount["name"]!)!;
        Assert.NotNull(volume["emptyDir"]);
        Assert.Null(mount["readOnly"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_replicas_spread_over_nodes_without_blocking_scheduling(string overlay)
    {
        var objects = await Kustomize.RenderAsync(overlay);
        var deployment = objects.Single("Deployment", "meshbridge");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var podLabels = PodLabels(deployment);

        var spread = Assert.Single(pod["topologySpreadConstraints"]!.AsArray(), c => (string)c!["topologyKey"]! == "kubernetes.io/hostname")!;
        Assert.Equal("ScheduleAnyway", (string)spread["whenUnsatisfiable"]!);
        AssertSelects(spread["labelSelector"]!["matchLabels"].StringMap(), podLabels);

        var antiAffinity = pod["affinity"]!["podAntiAffinity"]!;
        Assert.Null(antiAffinity["requiredDuringSchedulingIgnoredDuringExecution"]);
        var preferred = Assert.Single(antiAffinity["preferredDuringSchedulingIgnoredDuringExecution"]!.AsArray())!;
        Assert.Equal("kubernetes.io/hostname", (string)preferred["podAffinityTerm"]!["topologyKey"]!);
        AssertSelects(preferred["podAffinityTerm"]!["labelSelector"]!["matchLabels"].StringMap(), podLabels);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_disruption_budget_and_the_metrics_Service_select_the_controller_pods(string overlay)
    {
        var objects = await Kustomize.RenderAsync(overlay);
        var deployment = objects.Single("Deployment", "meshbridge");
        var podLabels = PodLabels(deployment);
        var deploymentSelector = deployment["spec"]!["selector"]!["matchLabels"].StringMap();
        AssertSelects(deploymentSelector, podLabels);

        var budget = Assert.Single(objects.OfKind("PodDisruptionBudget"));
        Assert.Equal(ControllerNamespace, budget.Namespace());
        Assert.Equal("1", (string)budget["spec"]!["minAvailable"]!);
        Assert.Null(budget["spec"]!["maxUnavailable"]);
        Assert.Equal(deploymentSelector, budget["spec"]!["selector"]!["matchLabels"].StringMap());

        var service = Assert.Single(objects.OfKind("Service"));
        Assert.Equal(ControllerNamespace, service.Namespace());
        AssertSelects(service["spec"]!["selector"].StringMap(), podLabels);
        var port = Assert.Single(service["spec"]!["ports"]!.AsArray())!;
        Assert.Equal(("http-metrics", "8080"), ((string)port["name"]!, (string)port["port"]!));
        Assert.Equal("8080", ContainerPort(Container(deployment), (string)port["targetPort"]!));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_object_carries_the_common_labels_and_the_controller_objects_its_namespace(string overlay)
    {
        var objects = await Kustomize.RenderAsync(overlay);

        foreach (var o in objects)
        {
            var labels = o["metadata"]!["labels"].StringMap();
            Assert.Equal("meshbridge", labels.GetValueOrDefault("app.kubernetes.io/name"));
            Assert.Equal("meshbridge", labels.GetValueOrDefault("app.kubernetes.io/part-of"));
            Assert.DoesNotContain("app.kubernetes.io/managed-by", labels.Keys);
        }

        Assert.Null(objects.Single("Namespace", ControllerNamespace).Namespace());
        foreach (var kind in new[] { "ServiceAccount", "Deployment", "Service", "PodDisruptionBudget" })
        {
            Assert.All(objects.OfKind(kind), o => Assert.Equal(ControllerNamespace, o.Namespace()));
        }

        Assert.All(objects.OfKind("ClusterRole", "ClusterRoleBinding", "Namespace"), o => Assert.Null(o.Namespace()));
    }

    [Fact]
    public async Task The_image_defaults_to_ghcr_latest_and_an_overlay_can_replace_it()
    {
        foreach (var overlay in new[] { SidecarAmbient, EgressMtls })
        {
            Assert.Equal("ghcr.io/meshbridge/meshbridge:latest", (string)Container((await Kustomize.RenderAsync(overlay)).Single("Deployment", "meshbridge"))["image"]!);
        }

        var directory = Directory.CreateTempSubdirectory("meshbridge-deploy-");
        try
        {
            var overlay = Path.GetRelativePath(directory.FullName, Kustomize.DeployPath("overlays", "egress-mtls")).Replace('\\', '/');
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "kustomization.yaml"), $"""
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - {overlay}
                images:
                  - name: ghcr.io/meshbridge/meshbridge
                    newName: registry.example.com/platform/meshbridge
                    newTag: "0.1.0"
                """);

            var objects = await Kustomize.RenderDirectoryAsync(directory.FullName);

            Assert.Equal("registry.example.com/platform/meshbridge:0.1.0", (string)Container(objects.Single("Deployment", "meshbridge"))["image"]!);
            Assert.Equal(RuleLines(await Kustomize.RenderAsync(EgressMtls)).ToList(), RuleLines(objects).ToList());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static IEnumerable<string> RuleLines(IEnumerable<JsonObject> objects) =>
        from role in objects.Where(o => o.Kind() is "Role" or "ClusterRole")
        from rule in role["rules"]!.AsArray()
        select $"{RoleKey(role)}: [{Join(rule!["apiGroups"].Strings().Select(g => g.Length == 0 ? "\"\"" : g))}] " +
               $"[{Join(rule["resources"].Strings())}] [{Join(rule["resourceNames"].Strings())}] [{Join(rule["verbs"].Strings())}]";

    private static string RoleKey(JsonObject role) =>
        role.Namespace() is { } ns ? $"{role.Kind()} {ns}/{role.Name()}" : $"{role.Kind()} {role.Name()}";

    private static string Join(IEnumerable<string> values) => string.Join(' ', values);

    /// <summary>Every rule that grants anything on service accounts (their tokens included), with its role.</summary>
    private static List<(JsonObject Role, JsonNode Rule)> ServiceAccountRules(IReadOnlyList<JsonObject> objects) =>
    [
        .. from role in objects.OfKind("Role", "ClusterRole")
           from rule in role["rules"]!.AsArray()
           where rule!["resources"].Strings().Any(r => r.StartsWith("serviceaccounts", StringComparison.Ordinal))
           select (role, rule!),
    ];

    private static string CertificateSource(IReadOnlyList<JsonObject> objects) =>
        After(Container(objects.Single("Deployment", "meshbridge"))["args"].Strings(), "--certificate-source");

    private static JsonNode Container(JsonObject deployment) =>
        Assert.Single(deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray(), c => (string)c!["name"]! == "meshbridge")!;

    private static Dictionary<string, string> PodLabels(JsonObject deployment) => deployment["spec"]!["template"]!["metadata"]!["labels"].StringMap();

    /// <summary>The value after a flag ("--flag value"; "--flag=value" also counts).</summary>
    private static string After(List<string> args, string flag)
    {
        var joined = args.FirstOrDefault(a => a.StartsWith(flag + "=", StringComparison.Ordinal));
        if (joined is not null)
        {
            return joined[(flag.Length + 1)..];
        }

        var index = args.IndexOf(flag);
        Assert.True(index >= 0 && index + 1 < args.Count, $"{flag} with a value is not among the arguments [{string.Join(' ', args)}]");
        return args[index + 1];
    }

    /// <summary>A probe's or Service's port, by name or number, as the container port number it reaches.</summary>
    private static string ContainerPort(JsonNode container, string port)
    {
        var ports = container["ports"]!.AsArray();
        var match = ports.FirstOrDefault(p => (string)p!["name"]! == port) ?? ports.FirstOrDefault(p => (string)p!["containerPort"]! == port);
        Assert.True(match is not null, $"port {port} is not a port of container {(string)container["name"]!}");
        return (string)match!["containerPort"]!;
    }

    private static void AssertSelects(Dictionary<string, string> selector, Dictionary<string, string> labels)
    {
        Assert.NotEmpty(selector);
        foreach (var (key, value) in selector)
        {
            Assert.True(labels.TryGetValue(key, out var actual) && actual == value, $"selector {key}={value} does not match the pod labels");
        }
    }
}
