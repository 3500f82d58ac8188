using System.Diagnostics;
using System.Globalization;
using System.Text;
using MeshBridge.Certificates;
using MeshBridge.Certificates.Sds;
using MeshBridge.Controller.Certificates;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.IstioCa;
using MeshBridge.Lab.Scenarios;
using MeshBridge.Lab.Sds;
using MeshBridge.Transform;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Bench;

/// <summary>
/// What a mesh certificate costs: the P-256 CSR alone; one whole <c>istio-ca</c> issuance (TokenRequest to the lab API
/// server, CSR, CreateCertificate over gRPC/TLS to the lab Istio CA with a TokenReview, chain verification); and how
/// long an SDS push takes from the lab SDS server's rotation to <see cref="SdsClient.WatchAsync"/> yielding it.
/// Usage: <c>dotnet run -c Release --project bench/MeshBridge.Bench -- certificates [N]</c>; writes
/// bench/results/certificates.md.
/// </summary>
internal static class CertificateBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var report = new StringBuilder()
            .AppendLine("# mesh certificates")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}. Everything in one process, on loopback; {count} sequential operations each, after 10 warm-up ones.")
            .AppendLine()
            .AppendLine("| operation | mean (ms) | p50 (ms) | p99 (ms) | per second |")
            .AppendLine("|---|---:|---:|---:|---:|");
        report.AppendLine(Row("P-256 key + CSR (CertificateSigningRequest.Create)", Measure(count, () => CertificateSigningRequest.Create("spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress").Dispose())));
        report.AppendLine(Row("istio-ca issuance (TokenRequest, CSR, CreateCertificate, TokenReview, verification)", await IstioCaAsync(count)));
        report.AppendLine(Row("SDS push: lab server rotation to WatchAsync yield (issue, push, decode, ACK)", await SdsPushAsync(count)));
        var path = BenchPaths.Result("certificates.md");
        await File.WriteAllTextAsync(path, report.ToString());
        Console.Write(report);
        Console.WriteLine($"written to {path}");
        return 0;
    }

    private static async Task<List<double>> IstioCaAsync(int count)
    {
        await using var server = await LabApiServer.StartAsync(new LabApiServerOptions());
        LabScenarios.Load(server, "seed");
        var directory = Directory.CreateTempSubdirectory("meshbridge-bench-ca-");
        try
        {
            var kubeconfig = server.WriteKubeconfig(Path.Combine(directory.FullName, "kubeconfig"));
            using var client = new KubernetesApi(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig), new KubernetesClientOptions { Qps = 100_000, Burst = 100_000 });
            await using var ca = await LabIstioCa.StartAsync(new TokenReviewAuthenticator(client, [IstioCaSourceOptions.TokenAudience]));
            LabMesh.PublishRoot(server, ca.RootCertificatePem);
            LabMesh.EnsureServiceAccounts(server);
            var source = new IstioCaCertificateSource(client, new IstioCaSourceOptions { AddressOverride = $"127.0.0.1:{ca.Port}", ServerName = LabIstioCa.ServerName }, TimeProvider.System);
            var identity = new MeshIdentity(NicIdentity.Default, "cluster.local");
            return await MeasureAsync(count, () => source.GetAsync(identity, CancellationToken.None));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<List<double>> SdsPushAsync(int count)
    {
        await using var sds = await LabSdsServer.StartAsync();
        using var stop = new CancellationTokenSource();
        await using var pushes = new SdsClient(TimeProvider.System).WatchAsync(new SdsRequest { SocketPath = sds.SocketPath }, stop.Token).GetAsyncEnumerator(stop.Token);
        if (!await pushes.MoveNextAsync())
        {
            throw new InvalidOperationException("the lab SDS server sent nothing");
        }

        var timings = await MeasureAsync(count, async () =>
        {
            var rotating = sds.RotateAsync();
            if (!await pushes.MoveNextAsync())
            {
                throw new InvalidOperationException("the SDS stream ended");
            }

            await rotating;
            return pushes.Current;
        });
        await stop.CancelAsync();
        return timings;
    }

    private static List<double> Measure(int count, Action action) =>
        MeasureAsync(count, () =>
        {
            action();
            return Task.FromResult(0);
        }).GetAwaiter().GetResult();

    private static async Task<List<double>> MeasureAsync<T>(int count, Func<Task<T>> action)
    {
        for (var i = 0; i < 10; i++)
        {
            await action();
        }

        var timings = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await action();
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return timings;
    }

    private static string Row(string operation, List<double> timings)
    {
        timings.Sort();
        var mean = timings.Average();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {operation} | {mean:0.00} | {timings[timings.Count / 2]:0.00} | {timings[Math.Min(timings.Count - 1, (int)(timings.Count * 0.99))]:0.00} | {1000 / mean:0} |");
    }
}
