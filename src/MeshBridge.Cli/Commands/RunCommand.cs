using System.CommandLine;
using MeshBridge.Controller;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Transform;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Cli.Commands;

/// <summary><c>meshbridge run</c>: the controller against a cluster (kubeconfig, or in-cluster when run in a pod).</summary>
internal static class RunCommand
{
    public static Command Create(CliConsole console)
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file; default: in-cluster configuration, else $KUBECONFIG or ~/.kube/config." };
        var context = new Option<string?>("--context") { Description = "The kubeconfig context to use." };
        var ingressClass = new Option<string?>("--ingress-class") { Description = "Handle only VirtualServers of this class (and those with none). Default: every class." };
        var clusterDomain = new Option<string>("--cluster-domain") { Description = "The cluster's DNS domain, for Host headers.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MESHBRIDGE_CLUSTER_DOMAIN") ?? "cluster.local" };
        var workload = new Option<string?>("--ingress-workload") { Description = "NIC's workload NAMESPACE/KIND/NAME; default: recognised by image or flags." };
        var revision = new Option<string?>("--istio-revision") { Description = "Revisioned Istio: enroll NIC with istio.io/rev=<REV>." };
        var workers = new Option<int>("--workers") { Description = "Concurrent reconciles.", DefaultValueFactory = _ => 2 };
        var command = new Command("run", "Run the MeshBridge controller: keep annotated VirtualServers and NIC meshed, and revert what is no longer asked for.");
        foreach (var option in new Option[] { kubeconfig, context, ingressClass, clusterDomain, workload, revision, workers })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            WorkloadReference? named = null;
            if (parse.GetValue(workload) is { } text)
            {
                if (!WorkloadReference.TryParse(text, out var reference))
                {
                    console.Error.WriteLine($"error: --ingress-workload \"{text}\": expected NAMESPACE/KIND/NAME with KIND one of Deployment, DaemonSet, StatefulSet");
                    return ExitCodes.Usage;
                }

                named = reference;
            }

            KubernetesClientConfiguration configuration;
            try
            {
                configuration = parse.GetValue(kubeconfig) is null && parse.GetValue(context) is null
                    ? KubernetesClientConfiguration.BuildDefaultConfig()
                    : KubernetesClientConfiguration.BuildConfigFromConfigFile(parse.GetValue(kubeconfig), parse.GetValue(context));
            }
            catch (KubeConfigException e)
            {
                console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.DocumentErrors;
            }

            var options = new ControllerOptions
            {
                ClusterDomain = parse.GetValue(clusterDomain)!,
                IngressClass = parse.GetValue(ingressClass),
                IngressWorkload = named,
                IstioRevision = parse.GetValue(revision),
                Workers = parse.GetValue(workers),
            };
            using var client = new KubernetesApi(configuration);
            console.Out.WriteLine($"meshbridge run: controlling {configuration.BaseUri} (class {options.IngressClass ?? "any"})");
            await RunUntilStoppedAsync(new MeshController(client, options), cancellationToken).ConfigureAwait(false);
            console.Out.WriteLine("meshbridge run: stopped");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static async Task RunUntilStoppedAsync(MeshController controller, CancellationToken cancellationToken)
    {
        try
        {
            await controller.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: a graceful stop.
        }
    }
}
