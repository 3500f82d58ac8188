using System.CommandLine;
using System.Net.Http;
using System.Text.Json;
using MeshBridge.Cli.Diagnostics;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Cli.Commands;

/// <summary>
/// <c>meshbridge describe virtualserver NAME -n NS</c>: where one VirtualServer stands against a live cluster — mode,
/// NIC instance and its enrollment, per upstream the Service port's protocol, the effective PeerAuthentication, the
/// Host header and the identity the backend sees in XFCC, the egress-mtls certificate — and every problem with its
/// remedy, without istioctl. Exit 0 no error, 1 an error found, 2 usage, 3 no such VirtualServer or a bad kubeconfig,
/// 4 the API server unreachable.
/// </summary>
internal static class DescribeCommand
{
    /// <summary>At least one problem of severity error (warnings alone exit 0); the other codes are <see cref="ExitCodes"/>'.</summary>
    public const int ProblemsFound = 1;

    public const string ExitCodeHelp = "Exit code: 0 no error (warnings allowed), 1 at least one error, 2 usage, 3 no such VirtualServer or an unusable kubeconfig, 4 the API server unreachable.";

    public static Command Create(CliConsole console)
    {
        var command = new Command("describe", "Explain where a meshed object stands, against a live cluster (no istioctl needed).");
        var name = new Argument<string>("NAME") { Description = "The VirtualServer's name." };
        var ns = new Option<string>("--namespace", "-n") { Description = "The VirtualServer's namespace.", DefaultValueFactory = _ => "default" };
        var virtualServer = new Command("virtualserver", "Mode, NIC instance and enrollment, per upstream the Service port protocol, PeerAuthentication, Host header and XFCC identity, the egress-mtls certificate, and every problem with its remedy.\n" + ExitCodeHelp);
        virtualServer.Aliases.Add("vs");
        virtualServer.Arguments.Add(name);
        virtualServer.Options.Add(ns);
        var shared = new SharedOptions();
        shared.AddTo(virtualServer);
        virtualServer.SetAction(async (parse, cancellationToken) =>
        {
            if (!shared.TryRead(parse, console, out var options, out var exit))
            {
                return exit;
            }

            return await RunAsync(console, shared, parse, async (client, now) =>
            {
                var snapshot = await ClusterReader.ReadAsync(client, options, cancellationToken).ConfigureAwait(false);
                var target = snapshot.VirtualServers.FirstOrDefault(v => v.Metadata.Namespace() == parse.GetValue(ns) && v.Metadata.Name == parse.GetValue(name));
                if (target is null)
                {
                    console.Error.WriteLine($"error: VirtualServer {parse.GetValue(ns)}/{parse.GetValue(name)} not found");
                    return ExitCodes.InputError;
                }

                var report = MeshChecks.Describe(target, snapshot, options, now);
                if (shared.Json(parse))
                {
                    console.Out.WriteLine(JsonSerializer.Serialize(report, DiagnosticsJsonContext.Default.VirtualServerReport));
                }
                else
                {
                    ReportWriter.Write(console.Out, report);
                }

                return report.HasErrors ? ProblemsFound : ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        command.Subcommands.Add(virtualServer);
        return command;
    }

    /// <summary>Connects with the kubeconfig and runs <paramref name="body"/>; maps a bad kubeconfig to 3 and an unreachable API server to 4.</summary>
    internal static async Task<int> RunAsync(CliConsole console, SharedOptions shared, System.CommandLine.ParseResult parse, Func<KubernetesApi, DateTimeOffset, Task<int>> body)
    {
        KubernetesClientConfiguration configuration;
        try
        {
            configuration = parse.GetValue(shared.Kubeconfig) is null && parse.GetValue(shared.Context) is null
                ? KubernetesClientConfiguration.BuildDefaultConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(parse.GetValue(shared.Kubeconfig), parse.GetValue(shared.Context));
        }
        catch (KubeConfigException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InputError;
        }

        try
        {
            using var client = new KubernetesApi(configuration);
            return await body(client, TimeProvider.System.GetUtcNow()).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            console.Error.WriteLine($"error: the API server at {configuration.BaseUri} is unreachable: {e.Message}");
            return ExitCodes.Unreachable;
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            console.Error.WriteLine($"error: the API server at {configuration.BaseUri} did not answer in time");
            return ExitCodes.Unreachable;
        }
        catch (KubernetesException e)
        {
            console.Error.WriteLine($"error: the API server refused a read: {e.Message} (MeshBridge needs get/list on VirtualServers, VirtualServerRoutes, Policies, workloads, IngressClasses, Namespaces, Services, Secrets, PeerAuthentications and Istio's ConfigMaps)");
            return ExitCodes.InputError;
        }
    }

    /// <summary>The options describe and doctor share.</summary>
    internal sealed class SharedOptions
    {
        public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "Kubeconfig file; default: in-cluster configuration, else $KUBECONFIG or ~/.kube/config.", HelpName = "PATH" };

        public Option<string?> Context { get; } = new("--context") { Description = "The kubeconfig context to use." };

        public Option<string> Output { get; } = new("--output", "-o") { Description = "text (default) or json.", DefaultValueFactory = _ => "text" };

        public Option<string> IstioNamespace { get; } = new("--istio-namespace") { Description = "Istio's root namespace (mesh-wide PeerAuthentication, the istio ConfigMap).", DefaultValueFactory = _ => "istio-system" };

        public Option<string?> IngressWorkload { get; } = new("--ingress-workload") { Description = "NIC's workload NAMESPACE/KIND/NAME, as given to 'meshbridge run'; default: recognised by image or flags." };

        public Option<string> ClusterDomain { get; } = new("--cluster-domain") { Description = "The cluster's DNS domain, as given to 'meshbridge run'.", DefaultValueFactory = _ => "cluster.local" };

        public void AddTo(Command command)
        {
            Output.AcceptOnlyFromAmong("text", "json");
            foreach (var option in new Option[] { Kubeconfig, Context, Output, IstioNamespace, IngressWorkload, ClusterDomain })
            {
                command.Options.Add(option);
            }
        }

        public bool Json(System.CommandLine.ParseResult parse) => parse.GetValue(Output) == "json";

        public bool TryRead(System.CommandLine.ParseResult parse, CliConsole console, out DiagnosticsOptions options, out int exit)
        {
            options = new DiagnosticsOptions();
            exit = ExitCodes.Success;
            WorkloadReference? named = null;
            if (parse.GetValue(IngressWorkload) is { } text)
            {
                if (!WorkloadReference.TryParse(text, out var reference))
                {
                    console.Error.WriteLine($"error: --ingress-workload \"{text}\": expected NAMESPACE/KIND/NAME with KIND one of {string.Join(", ", Workload.Kinds)}");
                    exit = ExitCodes.Usage;
                    return false;
                }

                named = reference;
            }

            if (string.IsNullOrWhiteSpace(parse.GetValue(IstioNamespace)))
            {
                console.Error.WriteLine("error: --istio-namespace must name a namespace");
                exit = ExitCodes.Usage;
                return false;
            }

            options = new DiagnosticsOptions { IstioNamespace = parse.GetValue(IstioNamespace)!, IngressWorkload = named, ClusterDomain = parse.GetValue(ClusterDomain)! };
            return true;
        }
    }
}
