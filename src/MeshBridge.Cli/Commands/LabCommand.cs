using System.CommandLine;
using MeshBridge.Controller;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.Scenarios;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Cli.Commands;

/// <summary>
/// <c>meshbridge lab</c>: a lab Kubernetes API server on loopback (HTTPS, its own CA) with a scenario loaded and a
/// kubeconfig written for it, so kubectl and <c>meshbridge</c> can be tried on one machine with no cluster.
/// </summary>
internal static class LabCommand
{
    public const string ReadyLine = "meshbridge lab: ready";

    public static Command Create(CliConsole console)
    {
        var scenario = new Option<string>("--scenario")
        {
            Description = "The cluster to start with: empty, or seed (the NIC + Istio blog cluster: two NIC instances, httpbin, two VirtualServers).",
            DefaultValueFactory = _ => "seed",
        };
        scenario.AcceptOnlyFromAmong([.. LabScenarios.Names]);
        var kubeconfig = new Option<string>("--kubeconfig")
        {
            Description = "Where to write the kubeconfig for the lab.",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "meshbridge-lab", "kubeconfig"),
        };
        var port = new Option<int>("--port") { Description = "The loopback port to serve on; 0 picks a free one.", DefaultValueFactory = _ => 0 };
        var noController = new Option<bool>("--no-controller") { Description = "Serve the API only; do not run the MeshBridge controller in process against it." };
        var command = new Command("lab", "Run a lab Kubernetes API server on this machine, with a scenario loaded, until stopped (Ctrl+C).");
        foreach (var option in new Option[] { scenario, kubeconfig, port, noController })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var server = await LabApiServer.StartAsync(new LabApiServerOptions { Port = parse.GetValue(port) }, cancellationToken).ConfigureAwait(false);
            LabScenarios.Load(server, parse.GetValue(scenario)!);
            var path = server.WriteKubeconfig(parse.GetValue(kubeconfig)!);
            console.Out.WriteLine($"{ReadyLine} at {server.BaseAddress} (scenario {parse.GetValue(scenario)})");
            console.Out.WriteLine($"kubeconfig: {path}");
            console.Out.WriteLine($"try: kubectl --kubeconfig {path} get virtualservers -A");
            console.Out.WriteLine("Press Ctrl+C to stop.");
            await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(noController))
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped by Ctrl+C or SIGTERM.
                }
            }
            else
            {
                using var client = new KubernetesApi(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
                var host = new ControllerHostOptions
                {
                    Operations = new MeshBridge.Controller.Operations.OperationsServerOptions { MetricsBindAddress = "127.0.0.1:0", HealthProbeBindAddress = "127.0.0.1:0" },
                };
                await RunCommand.RunHostedAsync(client, new ControllerOptions(), host, console, cancellationToken).ConfigureAwait(false);
            }

            console.Out.WriteLine("meshbridge lab: stopped");
            return ExitCodes.Success;
        });
        return command;
    }
}
