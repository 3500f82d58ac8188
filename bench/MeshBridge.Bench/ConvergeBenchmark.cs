using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Controller;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Bench;

/// <summary>
/// A first convergence measurement (the full issue-4 harness comes later): N sidecar-mode VirtualServers over N/10
/// namespaces, one NIC instance, controller started cold against the lab; time until every VirtualServer is meshed,
/// writes per VirtualServer, and writes during a restart on the converged cluster. Usage:
/// <c>dotnet run -c Release --project bench/MeshBridge.Bench -- controller-converge 100 300</c>.
/// </summary>
internal static class ConvergeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [100, 300];
        var report = new StringBuilder()
            .AppendLine("# controller convergence (first measurement)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}. Lab and controller in one process; 2 workers.")
            .AppendLine()
            .AppendLine("| VirtualServers | namespaces | converge (s) | VS/s | writes per VS | writes on restart |")
            .AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            report.AppendLine(await MeasureAsync(size));
        }

        var path = BenchPaths.Result("controller-converge.md");
        await File.WriteAllTextAsync(path, report.ToString());
        Console.Write(report);
        return 0;
    }

    private static async Task<string> MeasureAsync(int servers)
    {
        await using var lab = await LabApiServer.StartAsync(new LabApiServerOptions { HistoryLimit = servers * 20 });
        MeshBridge.Lab.Scenarios.LabScenarios.Load(lab, "empty");
        var namespaces = Math.Max(1, servers / 10);
        for (var n = 0; n < namespaces; n++)
        {
            lab.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = $"team-{n}" } });
        }

        lab.Seed(JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"nginx-ingress"}}
            """)!.AsObject());
        lab.Seed(JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx-ingress","namespace":"nginx-ingress"},
             "spec":{"template":{"metadata":{"labels":{"app":"nginx-ingress"}},"spec":{"serviceAccountName":"nginx-ingress","containers":[{"name":"nic","image":"nginx/nginx-ingress:5.5.4"}]}}}}
            """)!.AsObject());
        for (var i = 0; i < servers; i++)
        {
            lab.Seed(new JsonObject
            {
                ["apiVersion"] = "k8s.nginx.org/v1",
                ["kind"] = "VirtualServer",
                ["metadata"] = new JsonObject { ["name"] = $"app-{i}", ["namespace"] = $"team-{i % namespaces}", ["annotations"] = new JsonObject { ["meshbridge.io/mode"] = "sidecar" } },
                ["spec"] = JsonNode.Parse($"{{\"host\":\"app-{i}.example.com\",\"upstreams\":[{{\"name\":\"web\",\"service\":\"web\",\"port\":80}}],\"routes\":[{{\"path\":\"/\",\"action\":{{\"pass\":\"web\"}}}}]}}"),
            });
        }

        var directory = Directory.CreateTempSubdirectory("meshbridge-converge-");
        var kubeconfig = lab.WriteKubeconfig(Path.Combine(directory.FullName, "kubeconfig"));
        using var client = new KubernetesApi(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig), new KubernetesClientOptions { Qps = 10_000, Burst = 10_000 });
        var (seconds, writes) = await RunUntilConvergedAsync(client, lab, servers);
        var restartWrites = (await RunUntilConvergedAsync(client, lab, servers)).Writes;
        directory.Delete(recursive: true);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {servers} | {namespaces} | {seconds:F1} | {servers / seconds:F0} | {(double)writes / servers:F2} | {restartWrites} |");
    }

    private static async Task<(double Seconds, long Writes)> RunUntilConvergedAsync(KubernetesApi client, LabApiServer lab, int servers)
    {
        using var stop = new CancellationTokenSource();
        var controller = new MeshController(client, new ControllerOptions { ResyncPeriod = null });
        var clock = Stopwatch.StartNew();
        var running = controller.RunAsync(stop.Token);
        while (!controller.HasSynced || controller.Pending > 0 || Meshed(lab) < servers)
        {
            await Task.Delay(20);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await running;
        return (seconds, controller.Writer.Writes);
    }

    private static int Meshed(LabApiServer lab) =>
        lab.Store.List("k8s.nginx.org/v1/virtualservers", null).Items.Count(v => v["spec"]?["upstreams"]?[0]?["use-cluster-ip"] is not null);
}
