using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Cli;
using MeshBridge.Cli.Commands;
using MeshBridge.Cli.Lab;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.Scenarios;
using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Cli;

/// <summary><c>meshbridge lab</c> with the controller in process: what it prints once MeshBridge has converged on the seed.</summary>
public sealed class LabCommandTests : IDisposable
{
    private const string SidecarServer = "demo-meshed/VirtualServer/nic-meshed.example.com";
    private const string SidecarNic = "nginx-ingress/Deployment/nginx-ingress-sidecar";
    private const string EgressServer = "demo-meshed/VirtualServer/nic.example.com";
    private const string EgressPolicy = "demo-meshed/Policy/meshbridge-mtls.nginx-ingress.nginx-ingress";
    private const string EgressTls = "demo-meshed/Secret/meshbridge-mtls.nginx-ingress.nginx-ingress.tls";
    private const string EgressCa = "demo-meshed/Secret/meshbridge-mtls.nginx-ingress.nginx-ingress.ca";

    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("meshbridge-lab-diff-");

    private string Kubeconfig => Path.Combine(directory.FullName, "kubeconfig");

    public void Dispose() => directory.Delete(recursive: true);

    private static Task<CliRun> LabAsync(params string[] args) =>
        Task.Run(() => CliRun.Invoke(["lab", .. args])).WaitAsync(TimeSpan.FromMinutes(2));

    /// <summary>Each object's diff lines, keyed by the object named in its <c>---</c>/<c>+++</c> header.</summary>
    private static Dictionary<string, List<string>> Diffs(string stdout)
    {
        var diffs = new Dictionary<string, List<string>>();
        var lines = stdout.Split('\n');
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].StartsWith("--- ", StringComparison.Ordinal) && lines[i + 1].StartsWith("+++ ", StringComparison.Ordinal))
            {
                var key = lines[i] == "--- /dev/null" ? lines[i + 1][4..] : lines[i][4..];
                diffs[key] = lines.Skip(i + 2).TakeWhile(l => l.Length > 0).ToList();
            }
        }

        return diffs;
    }

    [Fact]
    public async Task Exit_when_converged_prints_the_kubeconfig_then_a_diff_per_object_MeshBridge_changed_and_its_warnings()
    {
        var run = await LabAsync("--scenario", "seed", "--exit-when-converged", "--kubeconfig", Kubeconfig);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(string.Empty, run.Stderr);
        var diffs = Diffs(run.Stdout);
        var firstDiff = run.Stdout.IndexOf("\n--- ", StringComparison.Ordinal);
        Assert.InRange(run.Stdout.IndexOf(LabCommand.ReadyLine, StringComparison.Ordinal), 0, firstDiff);
        Assert.InRange(run.Stdout.IndexOf($"kubeconfig: {Kubeconfig}\n", StringComparison.Ordinal), 0, firstDiff);
        Assert.InRange(run.Stdout.IndexOf($"kubectl --kubeconfig {Kubeconfig} get virtualservers -A", StringComparison.Ordinal), 0, firstDiff);
        Assert.True(File.Exists(Kubeconfig));

        Assert.Contains("+    use-cluster-ip: true", diffs[SidecarServer]);
        Assert.Contains(string.Join('\n', "+          - name: Host", "+            value: httpbin.demo-meshed.svc.cluster.local"), string.Join('\n', diffs[SidecarServer]), StringComparison.Ordinal);
        Assert.Contains("+        sidecar.istio.io/inject: \"true\"", diffs[SidecarNic]);
        Assert.Contains(diffs[SidecarNic], l => l.StartsWith("+        traffic.sidecar.istio.io/excludeInboundPorts: ", StringComparison.Ordinal));
        Assert.Matches(@"\nlab Istio CA: https://127\.0\.0\.1:[0-9]+/ \(as istiod\.istio-system\.svc;", run.Stdout);
        Assert.Contains("+    meshbridge.io/status: 'Meshed: egress-mtls as spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress'", diffs[EgressServer]);
        Assert.Contains("+  - name: meshbridge-mtls.nginx-ingress.nginx-ingress", diffs[EgressServer]);
        Assert.Contains("+type: kubernetes.io/tls", diffs[EgressTls]);
        Assert.Contains(diffs[EgressTls], l => l.StartsWith("+  tls.crt: '(redacted: ", StringComparison.Ordinal));
        Assert.Contains("+type: nginx.org/ca", diffs[EgressCa]);
        Assert.Contains(EgressPolicy, diffs.Keys);
        Assert.DoesNotContain("CertificatePending", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("meshbridge lab: stopped\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_SDS_socket_the_egress_mtls_VirtualServer_is_meshed_from_the_lab_SDS_server()
    {
        var socket = Path.Combine(directory.FullName, "sds.sock");
        var run = await LabAsync("--scenario", "seed", "--exit-when-converged", "--kubeconfig", Kubeconfig, "--sds-socket", socket);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var diffs = Diffs(run.Stdout);
        Assert.Contains($"\ncertificates: from the SDS server at {socket} (--certificate-source sds), not the lab Istio CA\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("+    meshbridge.io/status: 'Meshed: egress-mtls as spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress'", diffs[EgressServer]);
        Assert.Contains(diffs[EgressTls], l => l.StartsWith("+  tls.crt: '(redacted: ", StringComparison.Ordinal));
        Assert.DoesNotContain("CertificatePending", run.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(socket), "the lab SDS server removes its socket");
    }

    [Fact]
    public async Task Exit_when_converged_prints_nothing_for_objects_MeshBridge_left_alone()
    {
        var run = await LabAsync("--scenario", "seed", "--exit-when-converged", "--kubeconfig", Kubeconfig);

        var changed = Diffs(run.Stdout).Keys.ToList();
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(SidecarServer, changed);
        Assert.DoesNotContain("demo-meshed/Deployment/httpbin", changed);
        Assert.DoesNotContain("demo-meshed/Service/httpbin", changed);
        Assert.DoesNotContain("nginx-ingress/Deployment/nginx-ingress", changed);
        Assert.DoesNotContain(changed, k => k.Contains("/Event/", StringComparison.Ordinal) || k.Contains("/Lease/", StringComparison.Ordinal));
        Assert.Contains($"{changed.Count} objects changed (", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_converging_within_the_timeout_exits_1_and_says_so()
    {
        var run = await LabAsync("--scenario", "seed", "--exit-when-converged", "--timeout", "100ms", "--kubeconfig", Kubeconfig);

        Assert.Equal(ExitCodes.NotConverged, run.ExitCode);
        Assert.Contains("error: MeshBridge has not converged within 0.1s", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\n--- ", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1x")]
    [InlineData("0s")]
    [InlineData("s")]
    public void A_timeout_that_is_not_a_positive_duration_is_a_usage_error(string timeout)
    {
        var run = CliRun.Invoke("lab", "--exit-when-converged", "--timeout", timeout);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"--timeout \"{timeout}\"", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public async Task Without_exit_when_converged_each_later_convergence_prints_what_changed_since_the_last_report()
    {
        await using var server = await LabApiServer.StartAsync();
        LabScenarios.Load(server, "seed");
        var output = new StringBuilder();
        var writer = TextWriter.Synchronized(new StringWriter(output) { NewLine = "\n" });
        string Printed()
        {
            // The synchronized writer locks itself around every write.
            lock (writer)
            {
                return output.ToString();
            }
        }

        var console = new CliConsole(TextReader.Null, writer, TextWriter.Null);
        using var stop = new CancellationTokenSource();
        var session = new LabSession(server, server.WriteKubeconfig(Kubeconfig), console);
        var running = session.RunAsync(stop.Token);

        await PrintedAsync(Printed, "objects changed (", running);
        var key = new StoreKey("k8s.nginx.org/v1/virtualservers", "demo-meshed", "nic-meshed.example.com");
        var unannotated = server.Store.Get(key)!;
        unannotated["metadata"]!["annotations"]!.AsObject().Remove("meshbridge.io/mode");
        server.Store.Update(key, unannotated, hasGeneration: true);
        var again = await PrintedAsync(Printed, "converged again", running);
        await PrintedAsync(Printed, "objects changed", running, after: again);
        await stop.CancelAsync();
        var exit = await running.WaitAsync(TimeSpan.FromSeconds(30));

        var second = Diffs(Printed()[again..]);
        Assert.Equal(0, exit);
        Assert.Contains("-    meshbridge.io/mode: sidecar", second[SidecarServer]);
        Assert.Contains("-    use-cluster-ip: true", second[SidecarServer]);
        Assert.Contains("-        sidecar.istio.io/inject: \"true\"", second[SidecarNic]);
        Assert.DoesNotContain("Warning event", Printed()[again..], StringComparison.Ordinal);
    }

    /// <summary>Awaits text in the output (after an offset), failing fast if the session ends first.</summary>
    private static async Task<int> PrintedAsync(Func<string> printed, string text, Task<int> running, int after = 0)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var current = printed();
            var at = current.IndexOf(text, after, StringComparison.Ordinal);
            if (at >= 0)
            {
                return at;
            }

            Assert.False(running.IsCompleted, $"the lab session ended before printing \"{text}\":\n{current}");
            await Task.Delay(20, timeout.Token);
        }
    }
}
