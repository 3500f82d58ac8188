using System.Diagnostics;
using System.Globalization;
using System.Text;
using MeshBridge.Manifests;
using MeshBridge.Transform;

namespace MeshBridge.Bench;

/// <summary>
/// <c>meshbridge inject</c> over a generated manifest stream: N VirtualServers in M namespaces (each with 3
/// upstreams, a split, a match and a VirtualServerRoute) plus a NIC Deployment. Measures read, transform and write
/// separately, and the process's peak working set. Usage: <c>dotnet run -c Release --project bench/MeshBridge.Bench --
/// 1000 10000</c>; writes bench/results/inject.md.
/// </summary>
internal static class InjectBenchmark
{
    public static int Run(string[] args)
    {
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1000, 10000];
        var report = new StringBuilder()
            .AppendLine("# inject benchmark")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}.")
            .AppendLine("Each VirtualServer: 3 upstreams, a split route, a match route, one VirtualServerRoute; sidecar mode.")
            .AppendLine()
            .AppendLine("| VirtualServers | documents | YAML in (MB) | read (ms) | transform (ms) | write (ms) | total (ms) | VS/s | peak working set (MB) |")
            .AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        Measure(200, null); // warm-up: JIT and regex compilation stay out of the figures
        foreach (var size in sizes)
        {
            Measure(size, report);
        }

        var path = BenchPaths.Result("inject.md");
        File.WriteAllText(path, report.ToString());
        Console.Write(report);
        Console.WriteLine($"written to {path}");
        return 0;
    }

    private static void Measure(int servers, StringBuilder? report)
    {
        var yaml = Generate(servers, Math.Max(1, servers / 10));
        GC.Collect();
        var clock = Stopwatch.StartNew();
        var documents = ManifestReader.Read(yaml, "bench.yaml");
        var read = clock.Elapsed.TotalMilliseconds;
        var result = InjectPipeline.Run(documents, new TransformOptions());
        var transform = clock.Elapsed.TotalMilliseconds - read;
        var output = new StringBuilder();
        foreach (var document in result.Documents)
        {
            output.Append("---\n").Append(document.VerbatimText ?? ManifestWriter.ToYaml(document.Node));
        }

        var total = clock.Elapsed.TotalMilliseconds;
        if (result.HasErrors || !output.ToString().Contains("use-cluster-ip: true", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("the benchmark input did not transform cleanly: " + result.Diagnostics.FirstOrDefault());
        }

        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
        report?.AppendLine(CultureInfo.InvariantCulture,
            $"| {servers} | {documents.Count} | {Encoding.UTF8.GetByteCount(yaml) / 1024.0 / 1024.0:F1} | {read:F0} | {transform:F0} | {total - read - transform:F0} | {total:F0} | {servers / (total / 1000):F0} | {peak:F0} |");
    }

    private static string Generate(int servers, int namespaces)
    {
        var text = new StringBuilder();
        for (var i = 0; i < servers; i++)
        {
            var ns = $"team-{i % namespaces}";
            text.Append(CultureInfo.InvariantCulture, $"""
                ---
                apiVersion: k8s.nginx.org/v1
                kind: VirtualServer
                metadata:
                  name: app-{i}
                  namespace: {ns}
                  annotations:
                    meshbridge.io/mode: sidecar
                spec:
                  ingressClassName: nginx
                  host: app-{i}.example.com
                  upstreams:
                  - name: web
                    service: web-{i}
                    port: 80
                  - name: api-v1
                    service: api-{i}
                    port: 8080
                  - name: api-v2
                    service: api-v2-{i}
                    port: 8080
                  routes:
                  - path: /
                    action:
                      pass: web
                  - path: /api
                    splits:
                    - weight: 90
                      action:
                        pass: api-v1
                    - weight: 10
                      action:
                        proxy:
                          upstream: api-v2
                          rewritePath: /v2
                  - path: /beta
                    matches:
                    - conditions:
                      - header: x-beta
                        value: "on"
                      action:
                        pass: api-v2
                    action:
                      pass: api-v1
                  - path: /shop
                    route: shop-{i}
                ---
                apiVersion: k8s.nginx.org/v1
                kind: VirtualServerRoute
                metadata:
                  name: shop-{i}
                  namespace: {ns}
                spec:
                  host: app-{i}.example.com
                  upstreams:
                  - name: shop
                    service: shop-{i}
                    port: 80
                  subroutes:
                  - path: /shop
                    action:
                      pass: shop

                """);
        }

        text.Append("""
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: nginx-ingress
              namespace: nginx-ingress
            spec:
              template:
                metadata:
                  labels:
                    app: nginx-ingress
                spec:
                  serviceAccountName: nginx-ingress
                  containers:
                  - name: nginx-ingress
                    image: nginx/nginx-ingress:5.5.4

            """);
        return text.ToString();
    }
}
