using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Bench;

/// <summary>
/// The lab API server's write throughput through our client over HTTPS/HTTP/2: creates, then a tight loop of JSON
/// patches guarded by a resourceVersion test (the controller's write), at several concurrencies, plus how fast a
/// watch sees the patches. Usage: <c>dotnet run -c Release --project bench/MeshBridge.Bench -- lab-writes 2000</c>;
/// writes bench/results/lab-writes.md.
/// </summary>
internal static class LabWriteBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var objects = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var report = new StringBuilder()
            .AppendLine("# lab API server write throughput")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}. Client and lab in one process, HTTPS on loopback, HTTP/2.")
            .AppendLine(CultureInfo.InvariantCulture, $"{objects} ConfigMaps; each patch is a JSON Patch guarded by a `test` on metadata.resourceVersion.")
            .AppendLine()
            .AppendLine("| concurrency | creates/s | guarded patches/s | p50 patch (ms) | p99 patch (ms) | watch events seen |")
            .AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var concurrency in new[] { 1, 8, 32 })
        {
            report.AppendLine(await MeasureAsync(objects, concurrency));
        }

        var path = BenchPaths.Result("lab-writes.md");
        await File.WriteAllTextAsync(path, report.ToString());
        Console.Write(report);
        Console.WriteLine($"written to {path}");
        return 0;
    }

    private static async Task<string> MeasureAsync(int objects, int concurrency)
    {
        await using var lab = await LabApiServer.StartAsync(new LabApiServerOptions { HistoryLimit = objects * 4 });
        var directory = Directory.CreateTempSubdirectory("meshbridge-bench-");
        var kubeconfig = lab.WriteKubeconfig(Path.Combine(directory.FullName, "kubeconfig"));
        using var client = new KubernetesApi(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig), new KubernetesClientOptions { Qps = 100_000, Burst = 100_000 });
        var list = await client.ListAsync(ResourceTypes.ConfigMaps, "default");
        using var stopWatch = new CancellationTokenSource();
        var seen = 0;
        var watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in client.WatchAsync(ResourceTypes.ConfigMaps, "default", new WatchOptions { ResourceVersion = list.ResourceVersion, AllowWatchBookmarks = false }, stopWatch.Token))
                {
                    Interlocked.Increment(ref seen);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped after the run.
            }
        });

        var created = new JsonObject[objects];
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, objects, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
            created[i] = await client.CreateAsync(ResourceTypes.ConfigMaps, "default", new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = $"cm-{i}" },
                ["data"] = new JsonObject { ["value"] = "0" },
            }, null, ct));
        var createRate = objects / clock.Elapsed.TotalSeconds;

        var targets = created.Select(c => new PatchTarget("default", c["metadata"]!["name"]!.GetValue<string>(), c["metadata"]!["resourceVersion"]!.GetValue<string>())).ToList();
        var patches = await GuardedPatchLoop.RunAsync(client, ResourceTypes.ConfigMaps, targets, concurrency,
            n => new JsonObject { ["op"] = "replace", ["path"] = "/data/value", ["value"] = (n + 1).ToString(CultureInfo.InvariantCulture) }, TimeSpan.Zero);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref seen) < objects * 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await stopWatch.CancelAsync();
        await watching;
        directory.Delete(recursive: true);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {concurrency} | {createRate:F0} | {patches.WritesPerSecond:F0} | {patches.Percentile(0.5):F2} | {patches.Percentile(0.99):F2} | {seen} of {objects * 2} |");
    }
}
