using System.Diagnostics;
using MeshBridge.Lab.Tests.Support;

namespace MeshBridge.Lab.Tests.ApiServer;

/// <summary><c>meshbridge lab</c> run as a user runs it, judged by the real kubectl.</summary>
public sealed class LabCommandTests
{
    [Fact]
    public async Task The_seed_scenario_serves_the_blog_cluster_to_kubectl_and_stops_on_SIGTERM()
    {
        var directory = Directory.CreateTempSubdirectory("meshbridge-lab-cli-");
        var kubeconfig = Path.Combine(directory.FullName, "kubeconfig");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "meshbridge.dll"), "lab", "--no-controller", "--scenario", "seed", "--kubeconfig", kubeconfig])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var lab = Process.Start(start)!;
        try
        {
            var ready = await LabProcess.ReadUntilAsync(lab, "meshbridge lab: ready");
            var kubectl = new Kubectl(kubeconfig, Path.Combine(directory.FullName, "cache"));

            var servers = await kubectl.RunAsync("get", "vs", "-n", "demo-meshed", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.ingressClassName}={.metadata.annotations.meshbridge\\.io/mode} {end}");
            var classes = await kubectl.RunAsync("get", "ingressclass", "-o", "name");
            var nics = await kubectl.RunAsync("get", "deploy", "-n", "nginx-ingress", "-o", "jsonpath={range .items[*]}{.spec.template.spec.serviceAccountName} {end}");
            var mesh = await kubectl.RunAsync("get", "configmap", "istio", "-n", "istio-system", "-o", "jsonpath={.data.mesh}");
            var strict = await kubectl.RunAsync("get", "peerauthentication", "default", "-n", "istio-system", "-o", "jsonpath={.spec.mtls.mode}");
            var port = await kubectl.RunAsync("get", "svc", "httpbin", "-n", "demo-meshed", "-o", "jsonpath={.spec.ports[0].name}:{.spec.ports[0].port}");
            Process.Start("kill", ["-TERM", lab.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await lab.WaitForExitAsync(exit.Token);

            Assert.Contains("https://127.0.0.1:", ready, StringComparison.Ordinal);
            Assert.Equal("nic-meshed.example.com=nginx-sidecar=sidecar nic.example.com=nginx=egress-mtls ", servers.Succeeded().Stdout);
            Assert.Equal("ingressclass.networking.k8s.io/nginx\ningressclass.networking.k8s.io/nginx-sidecar\n", classes.Succeeded().Stdout);
            Assert.Equal("nginx-ingress nginx-ingress-sidecar ", nics.Succeeded().Stdout);
            Assert.Contains("trustDomain: cluster.local", mesh.Succeeded().Stdout, StringComparison.Ordinal);
            Assert.Equal("STRICT", strict.Succeeded().Stdout);
            Assert.Equal("http:8081", port.Succeeded().Stdout);
            Assert.Equal(0, lab.ExitCode);
        }
        finally
        {
            if (!lab.HasExited)
            {
                lab.Kill(entireProcessTree: true);
            }

            directory.Delete(recursive: true);
        }
    }
}
