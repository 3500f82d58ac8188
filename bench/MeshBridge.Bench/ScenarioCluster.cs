using System.Globalization;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.Scenarios;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Bench;

/// <summary>
/// The scenario's cluster, built in a lab API server before any controller runs (a cold start): the seed scenario
/// (two NIC instances, Istio's ConfigMaps) with the real NIC CRDs, then <c>servers</c> sidecar-mode VirtualServers
/// over <c>namespaces</c> injected namespaces, every tenth with a VirtualServerRoute, and <c>fresh</c> VirtualServers
/// without the mode annotation (the part of a cluster that is not meshed, and the latency samples later). Each
/// VirtualServer has two upstreams with their Services and two routes; all are served by the seed's
/// <c>nginx-sidecar</c> NIC instance, since one NIC instance cannot mix modes. The seed's egress-mtls VirtualServer is
/// removed: it is on the other instance and waits for a certificate source <c>meshbridge run</c> does not have yet.
/// Objects are created through the API, so the real CRDs validate them.
/// </summary>
internal sealed class ScenarioCluster : IAsyncDisposable
{
    public const string IngressClass = "nginx-sidecar";

    /// <summary>One VirtualServer in this many has a VirtualServerRoute.</summary>
    public const int RoutedEvery = 10;

    private static readonly string[] NicCrdFiles = ["k8s.nginx.org_virtualservers.yaml", "k8s.nginx.org_virtualserverroutes.yaml", "k8s.nginx.org_policies.yaml"];

    private readonly DirectoryInfo directory;

    private ScenarioCluster(LabApiServer lab, DirectoryInfo directory)
    {
        Lab = lab;
        this.directory = directory;
        Kubeconfig = lab.WriteKubeconfig(Path.Combine(directory.FullName, "kubeconfig"));
        Client = new KubernetesApi(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig), new KubernetesClientOptions { Qps = 1_000_000, Burst = 1_000_000 });
    }

    public LabApiServer Lab { get; }

    /// <summary>The benchmark's own client, without a client-side rate limit.</summary>
    public KubernetesApi Client { get; }

    public string Kubeconfig { get; }

    /// <summary>A folder for this run's files (kubeconfig, controller logs), removed with the cluster.</summary>
    public string WorkDirectory => directory.FullName;

    public int Routes { get; private set; }

    public int Services { get; private set; }

    /// <summary>The VirtualServers created without the mode annotation, in creation order.</summary>
    public IReadOnlyList<(string Namespace, string Name)> Fresh { get; private set; } = [];

    /// <summary>The real NIC CRDs' paths; throws <see cref="FileNotFoundException"/> saying where they belong when one is missing.</summary>
    public static IReadOnlyList<string> NicCrds() => NicCrdFiles.Select(BenchPaths.NicCrd).ToList();

    public static async Task<ScenarioCluster> StartAsync(int servers, int namespaces, int fresh, CancellationToken cancellationToken)
    {
        var crds = NicCrds().Select(path => (File: Path.GetFileName(path), Yaml: File.ReadAllText(path))).ToList();
        var lab = await LabApiServer.StartAsync(new LabApiServerOptions { HistoryLimit = Math.Max(10_000, (servers + fresh) * 8) }, cancellationToken);
        var cluster = new ScenarioCluster(lab, Directory.CreateTempSubdirectory("meshbridge-scenario-"));
        try
        {
            LabScenarios.Load(lab, "seed");
            foreach (var (file, yaml) in crds)
            {
                lab.InstallCustomResourceDefinitions(yaml, file);
            }

            await cluster.PopulateAsync(servers, namespaces, fresh, cancellationToken);
            lab.Counters.Reset();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Lab.DisposeAsync();
        directory.Delete(recursive: true);
    }

    private static string Namespace(int i, int namespaces) => string.Create(CultureInfo.InvariantCulture, $"team-{i % namespaces:D4}");

    private async Task PopulateAsync(int servers, int namespaces, int fresh, CancellationToken cancellationToken)
    {
        await Client.DeleteAsync(ResourceTypes.VirtualServers, "demo-meshed", "nic.example.com", null, cancellationToken);
        var root = (await Client.GetAsync(ResourceTypes.ConfigMaps, "default", "istio-ca-root-cert", null, cancellationToken))["data"]!.DeepClone();
        var names = Enumerable.Range(0, namespaces).Select(n => Namespace(n, namespaces)).ToList();
        await CreateAllAsync(ResourceTypes.Namespaces, names.Select(ns => Parse($$$"""
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}","labels":{"istio-injection":"enabled"} }}
            """)), cancellationToken);
        await CreateAllAsync(ResourceTypes.ConfigMaps, names.Select(ns => new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "istio-ca-root-cert", ["namespace"] = ns, ["labels"] = new JsonObject { ["istio.io/config"] = "true" } },
            ["data"] = root.DeepClone(),
        }), cancellationToken);

        var apps = Enumerable.Range(0, servers)
            .Select(i => (Namespace: Namespace(i, namespaces), Name: $"app-{i}", Meshed: true, Routed: i % RoutedEvery == 0))
            .Concat(Enumerable.Range(0, fresh).Select(j => (Namespace: Namespace(j, namespaces), Name: $"fresh-{j}", Meshed: false, Routed: false)))
            .ToList();
        var services = apps.SelectMany(a => Backends(a.Routed).Select(b => (a.Namespace, Name: $"{a.Name}-{b.Suffix}", b.Port)))
            .Select((s, index) => Service(s.Namespace, s.Name, s.Port, index + 1)).ToList();
        await CreateAllAsync(ResourceTypes.Services, services, cancellationToken);
        var routed = apps.Where(a => a.Routed).ToList();
        await CreateAllAsync(ResourceTypes.VirtualServerRoutes, routed.Select(a => Parse($$$"""
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServerRoute","metadata":{"name":"{{{a.Name}}}-shop","namespace":"{{{a.Namespace}}}"},
             "spec":{"ingressClassName":"{{{IngressClass}}}","host":"{{{a.Name}}}.bench.example.com",
              "upstreams":[{"name":"shop","service":"{{{a.Name}}}-shop","port":80}],
              "subroutes":[{"path":"/shop","action":{"pass":"shop"}}]}}
            """)), cancellationToken);
        await CreateAllAsync(ResourceTypes.VirtualServers, apps.Select(a => VirtualServer(a.Namespace, a.Name, a.Meshed, a.Routed)), cancellationToken);
        Routes = routed.Count;
        Services = services.Count;
        Fresh = apps.Where(a => !a.Meshed).Select(a => (a.Namespace, a.Name)).ToList();
    }

    private static IEnumerable<(string Suffix, int Port)> Backends(bool routed) =>
        routed ? [("web", 80), ("api", 8080), ("shop", 80)] : [("web", 80), ("api", 8080)];

    private static JsonObject Service(string ns, string name, int port, int index) =>
        Parse($$$"""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","labels":{"app":"{{{name}}}"}},
             "spec":{"type":"ClusterIP","clusterIP":"10.{{{100 + (index >> 16)}}}.{{{(index >> 8) & 255}}}.{{{index & 255}}}","selector":{"app":"{{{name}}}"},
              "ports":[{"name":"http","port":{{{port}}},"protocol":"TCP","targetPort":8080}]}}
            """);

    private static JsonObject VirtualServer(string ns, string name, bool meshed, bool routed)
    {
        var server = Parse($$$"""
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},
             "spec":{"ingressClassName":"{{{IngressClass}}}","host":"{{{name}}}.bench.example.com",
              "upstreams":[{"name":"web","service":"{{{name}}}-web","port":80},{"name":"api","service":"{{{name}}}-api","port":8080}],
              "routes":[{"path":"/","action":{"pass":"web"}},{"path":"/api","action":{"proxy":{"upstream":"api","rewritePath":"/"} }}]}}
            """);
        if (meshed)
        {
            server["metadata"]!["annotations"] = new JsonObject { [MeshBridge.Transform.MeshAnnotations.Mode] = "sidecar" };
        }

        if (routed)
        {
            server["spec"]!["routes"]!.AsArray().Add(new JsonObject { ["path"] = "/shop", ["route"] = $"{ns}/{name}-shop" });
        }

        return server;
    }

    private async Task CreateAllAsync(ResourceType type, IEnumerable<JsonObject> objects, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (o, token) =>
            await Client.CreateAsync(type, type.Namespaced ? o["metadata"]!["namespace"]!.GetValue<string>() : null, o, null, token));

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
