using System.Text.Json.Nodes;
using MeshBridge.Controller.Certificates;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.ApiServer.Auth;
using MeshBridge.Lab.IstioCa;
using MeshBridge.Lab.Scenarios;
using MeshBridge.Testing;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>
/// The RBAC of deploy/overlays/egress-mtls, proven rather than guessed: the lab API server enforces it (installed with
/// the real <c>kubectl apply -k</c>), and MeshBridge runs as its own service account through a scenario that uses
/// every permission — leader election, meshing a sidecar and an egress-mtls VirtualServer (certificate from an
/// istiod found by its Service), a second VirtualServer sharing the egress-mtls objects, a Policy edited behind its
/// back, and reverting everything. With the rules as shipped nothing is denied; with any one verb of any rule
/// removed, a request of MeshBridge's is denied.
/// </summary>
[Collection(IstiodPort.Collection)]
public sealed class InstallRbacTests
{
    private const string Ns = "demo-meshed";
    private const string Egress = "nic.example.com";
    private const string Sidecar = "nic-meshed.example.com";
    private const string Second = "second.example.com";
    private const string PolicyName = "meshbridge-mtls.nginx-ingress.nginx-ingress";
    private const string MeshBridgeUser = "system:serviceaccount:meshbridge-system:meshbridge";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly ResourceType ClusterRoles = new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole");
    private static readonly ResourceType Roles = new("rbac.authorization.k8s.io", "v1", "roles", "Role");

    /// <summary>Every rule of the egress-mtls overlay's roles, as installed: (kind, namespace, name, index, verbs).</summary>
    private static async Task<List<(string Kind, string? Namespace, string Name, int Index, List<string> Verbs)>> RulesAsync()
    {
        await using var run = await Installed.StartAsync();
        var rules = new List<(string, string?, string, int, List<string>)>();
        foreach (var (type, kind) in new[] { (ClusterRoles, "ClusterRole"), (Roles, "Role") })
        {
            foreach (var role in (await run.Admin.ListAsync(type, null)).Items.Where(r => r["metadata"]!["name"]!.ToString().StartsWith("meshbridge", StringComparison.Ordinal)))
            {
                var list = role["rules"]!.AsArray();
                rules.AddRange(Enumerable.Range(0, list.Count).Select(i =>
                    (kind, role["metadata"]!["namespace"]?.ToString(), role["metadata"]!["name"]!.ToString(), i, list[i]!["verbs"]!.AsArray().Select(v => v!.ToString()).ToList())));
            }
        }

        return rules;
    }

    [Fact]
    public async Task MeshBridge_runs_every_step_under_the_shipped_RBAC_and_nothing_is_denied()
    {
        await using var run = await Installed.StartAsync();
        run.StartController();
        await run.ScenarioAsync(stopOnDenial: false);

        Assert.DoesNotContain(run.Server.Denials, d => d.User == MeshBridgeUser);
    }

    [Fact]
    public async Task Without_any_one_verb_of_any_rule_a_request_of_MeshBridge_is_denied()
    {
        var rules = await RulesAsync();
        Assert.True(rules.Count >= 10, $"the overlay's roles hold {rules.Count} rules; expected MeshBridge's");
        var unneeded = new List<string>();
        foreach (var (kind, ns, name, index, verbs) in rules)
        {
            foreach (var verb in verbs)
            {
                await using var run = await Installed.StartAsync();
                var type = kind == "ClusterRole" ? ClusterRoles : Roles;
                var role = await run.Admin.GetAsync(type, ns, name);
                var rule = role["rules"]!.AsArray()[index]!.AsObject();
                var before = rule.ToJsonString();
                var remaining = rule["verbs"]!.AsArray().Select(v => v!.ToString()).Where(v => v != verb).ToList();
                if (remaining.Count == 0)
                {
                    role["rules"]!.AsArray().RemoveAt(index);
                }
                else
                {
                    rule["verbs"] = new JsonArray([.. remaining.Select(v => (JsonNode?)v)]);
                }

                await run.Admin.ReplaceAsync(type, ns, name, role);
                run.StartController();
                await run.ScenarioAsync(stopOnDenial: true);
                if (!run.Server.Denials.Any(d => d.User == MeshBridgeUser))
                {
                    unneeded.Add($"verb {verb} of rule {index} of {kind} {(ns is null ? "" : ns + "/")}{name}: {before}");
                }
            }
        }

        Assert.True(unneeded.Count == 0, "MeshBridge went through the whole scenario with nothing denied without:\n" + string.Join("\n", unneeded));
    }

    /// <summary>A lab with the overlay installed by kubectl, a lab Istio CA found through Service istiod, and MeshBridge's kubeconfig.</summary>
    private sealed class Installed : IAsyncDisposable
    {
        private readonly DirectoryInfo directory;
        private readonly CancellationTokenSource stop = new();
        private Task? running;
        private LabIstioCa? ca;
        private KubernetesApi? meshbridge;
        private RotatingCertificateSource? certificates;

        private Installed(LabApiServer server, DirectoryInfo directory, KubernetesApi admin)
        {
            Server = server;
            this.directory = directory;
            Admin = admin;
        }

        public LabApiServer Server { get; }

        public KubernetesApi Admin { get; }

        public static async Task<Installed> StartAsync()
        {
            var server = await LabApiServer.StartAsync(new LabApiServerOptions { EnforceRbac = true });
            LabScenarios.Load(server, "seed");
            var directory = Directory.CreateTempSubdirectory("meshbridge-rbac-");
            var kubeconfig = await ControllerLab.InstallAsync(server, directory);
            return new Installed(server, directory, new KubernetesApi(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)));
        }

        /// <summary>MeshBridge as deploy/ runs it: its own service account, leader election, certificates from istiod's Service.</summary>
        public void StartController()
        {
            ca = LabIstioCa.StartAsync(new TokenReviewAuthenticator(Admin, [IstioCaSourceOptions.TokenAudience]), new IstioCaOptions { Port = IstiodPort.Port }).GetAwaiter().GetResult();
            LabMesh.PublishRoot(Server, ca.RootCertificatePem);
            LabMesh.EnsureServiceAccounts(Server);

            // NIC's namespace without the root (istiod's discoverySelectors leaving it out): MeshBridge looks there, then
            // in Istio's namespace, so both of the overlay's ConfigMap rules are used.
            Admin.DeleteAsync(ResourceTypes.ConfigMaps, "nginx-ingress", LabMesh.RootConfigMap).GetAwaiter().GetResult();
            // The seed's istiod Service, pointed at the lab CA (cluster IP loopback; the CA listens on istiod's port).
            Admin.PatchAsync(ResourceTypes.Services, "istio-system", "istiod", new V1Patch(JsonNode.Parse($$"""
                {"spec":{"clusterIP":"127.0.0.1","ports":[{"name":"grpc-istiod","port":{{IstiodPort.Port}} }]} }
                """)!, PatchType.MergePatch)).GetAwaiter().GetResult();
            var kubeconfig = Server.WriteServiceAccountKubeconfig(Path.Combine(directory.FullName, "meshbridge.kubeconfig"), "meshbridge-system", "meshbridge");
            meshbridge = new KubernetesApi(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            certificates = new RotatingCertificateSource(
                new IstioCaCertificateSource(meshbridge, new IstioCaSourceOptions { ServerName = LabIstioCa.ServerName }, TimeProvider.System), TimeProvider.System);
            var host = new ControllerHostOptions
            {
                Operations = new MeshBridge.Controller.Operations.OperationsServerOptions { MetricsBindAddress = "0", HealthProbeBindAddress = "0" },
                LeaderElect = true,
                LeaseDuration = TimeSpan.FromSeconds(2),
                RenewDeadline = TimeSpan.FromSeconds(1),
                RetryPeriod = TimeSpan.FromMilliseconds(200),
            };
            running = Task.Run(() => ControllerHost.RunAsync(meshbridge, new ControllerOptions(), host, certificates, null, stop.Token));
        }

        /// <summary>
        /// Every step of MeshBridge's life that needs a permission. With <paramref name="stopOnDenial"/>, returns as soon
        /// as one of MeshBridge's requests is denied (the step waiting for it would never finish).
        /// </summary>
        public async Task ScenarioAsync(bool stopOnDenial)
        {
            async Task UntilAsync(Func<Task<bool>> condition, string what)
            {
                var deadline = DateTime.UtcNow + Patience;
                while (!await condition())
                {
                    if (stopOnDenial && Server.Denials.Any(d => d.User == MeshBridgeUser))
                    {
                        throw new DeniedException();
                    }

                    Assert.True(DateTime.UtcNow < deadline, $"timed out after {Patience.TotalSeconds:0}s waiting for {what}; denied: {string.Join("; ", Server.Denials)}");
                    await Task.Delay(25);
                }
            }

            async Task<string?> StatusAsync(string name) =>
                (await Admin.GetAsync(ResourceTypes.VirtualServers, Ns, name))["metadata"]!["annotations"]?["meshbridge.io/status"]?.ToString();

            Task AnnotateAsync(string name, string mode) => Admin.PatchAsync(ResourceTypes.VirtualServers, Ns, name,
                new V1Patch(JsonNode.Parse($$"""{"metadata":{"annotations":{"meshbridge.io/mode":"{{mode}}"} } }""")!, PatchType.MergePatch));

            try
            {
                // Elected (Lease created), both VirtualServers meshed: the informers, the workload patch, the CA path, the egress-mtls objects.
                await UntilAsync(async () => await StatusAsync(Sidecar) == "Meshed: sidecar" && (await StatusAsync(Egress))?.StartsWith("Meshed: egress-mtls", StringComparison.Ordinal) == true, "both VirtualServers meshed");
                var lease = await Admin.GetAsync(ResourceTypes.Leases, "meshbridge-system", "meshbridge-leader");
                await UntilAsync(
                    async () => (await Admin.GetAsync(ResourceTypes.Leases, "meshbridge-system", "meshbridge-leader"))["spec"]!["renewTime"]!.ToString() != lease["spec"]!["renewTime"]!.ToString(),
                    "the Lease renewed");

                // A second VirtualServer shares the Policy and Secrets: their owners grow (Policy update, Secret patch).
                await Admin.CreateAsync(ResourceTypes.VirtualServers, Ns, JsonNode.Parse($$"""
                    {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"{{Second}}","namespace":"{{Ns}}","annotations":{"meshbridge.io/mode":"egress-mtls"} },
                     "spec":{"ingressClassName":"nginx","host":"{{Second}}","upstreams":[{"name":"httpbin","service":"httpbin","port":8081}],
                             "routes":[{"path":"/","action":{"pass":"httpbin"} }]} }
                    """)!.AsObject());
                await UntilAsync(async () => (await StatusAsync(Second))?.StartsWith("Meshed: egress-mtls", StringComparison.Ordinal) == true, "the second VirtualServer meshed");
                await UntilAsync(async () => (await Admin.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls"))["metadata"]!["ownerReferences"]!.AsArray().Count == 2, "the Secret owned by both");

                // Someone edits MeshBridge's Policy: it is put back.
                await Admin.PatchAsync(ResourceTypes.Policies, Ns, PolicyName,
                    new V1Patch(JsonNode.Parse("""{"spec":{"egressMTLS":{"verifyServer":true} } }""")!, PatchType.MergePatch));
                await UntilAsync(async () => (await Admin.GetAsync(ResourceTypes.Policies, Ns, PolicyName))["spec"]!["egressMTLS"]!["verifyServer"]?.GetValue<bool>() != true, "the Policy put back");

                // One leaves (owners shrink by JSON Patch), then the last one (Policy and Secrets deleted), then sidecar mode.
                await AnnotateAsync(Second, "none");
                await UntilAsync(async () => (await Admin.GetAsync(ResourceTypes.Policies, Ns, PolicyName))["metadata"]!["ownerReferences"]!.AsArray().Count == 1, "the Policy owned by one");
                await AnnotateAsync(Egress, "none");
                await UntilAsync(async () => await Admin.TryGetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls") is null && await Admin.TryGetAsync(ResourceTypes.Policies, Ns, PolicyName) is null, "the egress-mtls objects deleted");
                await AnnotateAsync(Sidecar, "none");
                await UntilAsync(async () => await StatusAsync(Sidecar) is null, "the sidecar VirtualServer reverted");
            }
            catch (DeniedException)
            {
                // What the caller waits for.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            if (running is not null)
            {
                try
                {
                    await running;
                }
                catch (OperationCanceledException)
                {
                    // Stopped as asked.
                }
            }

            if (ca is not null)
            {
                await ca.DisposeAsync();
            }

            meshbridge?.Dispose();
            Admin.Dispose();
            await Server.DisposeAsync();
            stop.Dispose();
            directory.Delete(recursive: true);
        }

        private sealed class DeniedException : Exception;
    }
}

/// <summary>istiod's CA port: the lab CA listens on it so MeshBridge finds it through Service istiod, as in a cluster; one test at a time.</summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class IstiodPort
{
    public const string Collection = "istiod port 15012";

    public const int Port = IstioCaSourceOptions.IstiodCaPort;
}
