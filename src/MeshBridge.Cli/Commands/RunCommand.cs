using System.CommandLine;
using MeshBridge.Cli.Certificates;
using MeshBridge.Controller;
using MeshBridge.Controller.Caching;
using MeshBridge.Controller.Certificates;
using MeshBridge.Controller.Operations;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Transform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Cli.Commands;

/// <summary><c>meshbridge run</c>: the controller against a cluster (kubeconfig, or in-cluster when run in a pod).</summary>
internal static class RunCommand
{
    internal const string IngressClassVariable = "MESHBRIDGE_INGRESS_CLASS";

    internal const string NamespaceSelectorVariable = "MESHBRIDGE_NAMESPACE_SELECTOR";

    public static Command Create(CliConsole console)
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file; default: in-cluster configuration, else $KUBECONFIG or ~/.kube/config." };
        var context = new Option<string?>("--context") { Description = "The kubeconfig context to use." };
        var ingressClass = new Option<string?>("--ingress-class") { Description = "Handle only VirtualServers of this class (and those with none). Default: every class.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable(IngressClassVariable) };
        var namespaceSelector = new Option<string?>("--namespace-selector") { Description = "The namespaces to handle, as a Kubernetes label selector (\"meshbridge.io/enabled=true\", \"env in (prod,staging)\", \"!legacy\"). Default: every namespace.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable(NamespaceSelectorVariable) };
        var clusterDomain = new Option<string>("--cluster-domain") { Description = "The cluster's DNS domain, for Host headers.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MESHBRIDGE_CLUSTER_DOMAIN") ?? "cluster.local" };
        var workload = new Option<string?>("--ingress-workload") { Description = "NIC's workload NAMESPACE/KIND/NAME; default: recognised by image or flags." };
        var revision = new Option<string?>("--istio-revision") { Description = "Revisioned Istio: enroll NIC with istio.io/rev=<REV>." };
        var istioNamespace = new Option<string>("--istio-namespace") { Description = "Istio's root namespace, holding the mesh ConfigMap istio (or istio-<REV>).", DefaultValueFactory = _ => "istio-system" };
        var workers = new Option<int>("--workers") { Description = "Concurrent reconciles.", DefaultValueFactory = _ => 2 };
        var metricsAddress = new Option<string>("--metrics-bind-address") { Description = "Where /metrics listens (controller-runtime style: \":8080\", \"127.0.0.1:0\"; \"0\" turns it off).", DefaultValueFactory = _ => ":8080" };
        var probeAddress = new Option<string>("--health-probe-bind-address") { Description = "Where /healthz and /readyz listen.", DefaultValueFactory = _ => ":8081" };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Elect a leader on a Lease so several replicas are safe; only the leader reconciles." };
        var qps = new Option<double>("--kube-api-qps") { Description = "Client-side limit of API requests per second (Events included).", DefaultValueFactory = _ => double.TryParse(Environment.GetEnvironmentVariable("MESHBRIDGE_KUBE_API_QPS"), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 50 };
        var burst = new Option<int>("--kube-api-burst") { Description = "Requests allowed at once above --kube-api-qps.", DefaultValueFactory = _ => int.TryParse(Environment.GetEnvironmentVariable("MESHBRIDGE_KUBE_API_BURST"), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 100 };
        var logLevel = new Option<string>("--log-level")
        {
            Description = $"Minimum level of the JSON logs on standard error: {string.Join(", ", JsonLogging.LevelNames)}.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MESHBRIDGE_LOG_LEVEL") ?? "info",
        };
        var certificateSource = new Option<string>("--certificate-source")
        {
            Description = "Where egress-mtls certificates come from: istio-ca (istiod's CreateCertificate, or an istio-csr at --ca-address), sds (an istio-agent or SPIRE agent on --sds-socket) or none (egress-mtls VirtualServers wait with CertificatePending).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MESHBRIDGE_CERTIFICATE_SOURCE") ?? "istio-ca",
        };
        certificateSource.AcceptOnlyFromAmong("istio-ca", "sds", "none");
        var sdsServer = new Option<string>("--sds-server")
        {
            Description = "With --certificate-source sds, the kind of SDS server: istio-agent (resources default and ROOTCA; it serves its own pod's identity, so MeshBridge must run as NIC's service account) or spire (the SVID by NIC's SPIFFE ID, the bundle by spiffe://<trust domain>).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MESHBRIDGE_SDS_SERVER") ?? "istio-agent",
        };
        sdsServer.AcceptOnlyFromAmong("istio-agent", "spire");
        var sdsSocket = new Option<string?>("--sds-socket")
        {
            Description = "With --certificate-source sds, the SDS server's Unix socket; default: /var/run/secrets/workload-spiffe-uds/socket (istio-agent), /tmp/spire-agent/public/api.sock (spire).",
            HelpName = "PATH",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MESHBRIDGE_SDS_SOCKET"),
        };
        var caAddress = new Option<string?>("--ca-address") { Description = "The Istio CA as HOST:PORT; default: Service istiod (istiod-<REV>) in --istio-namespace, port 15012.", HelpName = "HOST:PORT", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MESHBRIDGE_CA_ADDRESS") };
        var caServerName = new Option<string?>("--ca-server-name") { Description = "The name the CA's TLS certificate must carry; default: istiod[-<REV>].<istio-namespace>.svc." };
        var certificateValidity = new Option<string>("--certificate-validity") { Description = "Validity to ask the CA for (renewed at half of it): 24h, 12h, 90m.", DefaultValueFactory = _ => "24h", HelpName = "DURATION" };
        var leaseNamespace = new Option<string>("--leader-election-namespace") { Description = "Namespace of the Lease.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "meshbridge-system" };
        var command = new Command("run", "Run the MeshBridge controller: keep annotated VirtualServers and NIC meshed, and revert what is no longer asked for.");
        foreach (var option in new Option[] { kubeconfig, context, ingressClass, namespaceSelector, clusterDomain, workload, revision, istioNamespace, workers, metricsAddress, probeAddress, leaderElect, leaseNamespace, logLevel, qps, burst, certificateSource, caAddress, caServerName, certificateValidity, sdsServer, sdsSocket })
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

            LabelSelector? selector;
            try
            {
                selector = string.IsNullOrWhiteSpace(parse.GetValue(namespaceSelector)) ? null : LabelSelector.Parse(parse.GetValue(namespaceSelector)!);
            }
            catch (FormatException e)
            {
                var fromEnvironment = parse.GetResult(namespaceSelector) is null or { Implicit: true } ? $" (from {NamespaceSelectorVariable})" : string.Empty;
                console.Error.WriteLine($"error: --namespace-selector \"{parse.GetValue(namespaceSelector)}\"{fromEnvironment}: {e.Message}");
                return ExitCodes.Usage;
            }

            if (string.IsNullOrWhiteSpace(parse.GetValue(istioNamespace)))
            {
                console.Error.WriteLine("error: --istio-namespace must name a namespace");
                return ExitCodes.Usage;
            }

            if (!DurationParser.TryParse(parse.GetValue(certificateValidity)!, out var validity) || validity < TimeSpan.FromMinutes(2))
            {
                console.Error.WriteLine($"error: --certificate-validity \"{parse.GetValue(certificateValidity)}\": expected a duration of at least 2m such as 24h or 90m");
                return ExitCodes.Usage;
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
                IngressClass = string.IsNullOrEmpty(parse.GetValue(ingressClass)) ? null : parse.GetValue(ingressClass),
                NamespaceSelector = selector,
                IngressWorkload = named,
                IstioRevision = parse.GetValue(revision),
                IstioNamespace = parse.GetValue(istioNamespace)!,
                Workers = parse.GetValue(workers),
            };
            if (parse.GetValue(qps) <= 0 || parse.GetValue(burst) < 1)
            {
                console.Error.WriteLine("error: --kube-api-qps must be above 0 and --kube-api-burst at least 1");
                return ExitCodes.Usage;
            }

            using var client = new KubernetesApi(configuration, new KubernetesClientOptions { Qps = parse.GetValue(qps), Burst = parse.GetValue(burst) });
            var host = new ControllerHostOptions
            {
                Operations = new MeshBridge.Controller.Operations.OperationsServerOptions
                {
                    MetricsBindAddress = parse.GetValue(metricsAddress)!,
                    HealthProbeBindAddress = parse.GetValue(probeAddress)!,
                },
                LeaderElect = parse.GetValue(leaderElect),
                LeaderElectionNamespace = parse.GetValue(leaseNamespace)!,
            };
            if (!JsonLogging.TryParseLevel(parse.GetValue(logLevel), out var level))
            {
                console.Error.WriteLine($"error: --log-level \"{parse.GetValue(logLevel)}\": use one of {string.Join(", ", JsonLogging.LevelNames)}");
                return ExitCodes.Usage;
            }

            await using var logging = new ServiceCollection().AddLogging(b => b.AddControllerJsonLogs(level)).BuildServiceProvider();
            options = options with { LoggerFactory = logging.GetRequiredService<ILoggerFactory>() };
            console.Out.WriteLine($"meshbridge run: controlling {configuration.BaseUri} (class {options.IngressClass ?? "any"}, leader election {(host.LeaderElect ? "on" : "off")})");
            // One certificate per NIC identity, renewed at half its life (istio-agent's rule), whatever asks for it;
            // or, from an SDS server, whatever it pushes.
            var sdsKind = parse.GetValue(sdsServer) == "spire" ? SdsServerKind.Spire : SdsServerKind.IstioAgent;
            await using var sds = parse.GetValue(certificateSource) == "sds"
                ? new SdsCertificateSource(new SdsSourceOptions { SocketPath = parse.GetValue(sdsSocket) ?? SdsSourceOptions.DefaultSocket(sdsKind), Server = sdsKind }, TimeProvider.System)
                : null;
            ICertificateSource? certificates = parse.GetValue(certificateSource) == "none" ? null
                : sds is not null ? sds
                : new RotatingCertificateSource(
                    new IstioCaCertificateSource(client, new IstioCaSourceOptions
                    {
                        IstioNamespace = options.IstioNamespace,
                        IstioRevision = options.IstioRevision,
                        AddressOverride = parse.GetValue(caAddress),
                        ServerName = parse.GetValue(caServerName),
                        Validity = validity,
                    }, TimeProvider.System),
                    TimeProvider.System);
            await RunHostedAsync(client, options, host, certificates, console, cancellationToken).ConfigureAwait(false);
            console.Out.WriteLine("meshbridge run: stopped");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static async Task RunHostedAsync(KubernetesApi client, ControllerOptions options, ControllerHostOptions host, ICertificateSource? certificates, CliConsole console, CancellationToken cancellationToken)
    {
        try
        {
            await ControllerHost.RunAsync(client, options, host, certificates,
                (metrics, probes) => console.Out.WriteLine($"metrics: {metrics?.ToString() ?? "off"}  health probes: {probes?.ToString() ?? "off"}"),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: a graceful stop.
        }
    }
}
