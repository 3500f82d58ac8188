using System.Globalization;
using MeshBridge.Controller;
using MeshBridge.Controller.Certificates;
using MeshBridge.Controller.Operations;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.IstioCa;
using MeshBridge.Lab.Scenarios;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Cli.Lab;

/// <summary>
/// The controller running in process against the lab, and what the user sees of it: at each convergence, a diff of
/// every object that changed since the scenario was loaded (or since the previous report) and MeshBridge's Warning
/// events. With <see cref="ExitWhenConverged"/> it stops the controller after the first report. A lab Istio CA runs
/// beside the lab API server (its root in every namespace's <c>istio-ca-root-cert</c>, as istiod writes it), and the
/// controller gets its egress-mtls certificates from it exactly as from istiod.
/// </summary>
internal sealed class LabSession(LabApiServer server, string kubeconfig, CliConsole console)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public bool ExitWhenConverged { get; init; }

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public TimeSpan QuietPeriod { get; init; } = ConvergenceWatcher.DefaultQuietPeriod;

    /// <summary>When set, the controller's certificates come from this SDS server (the <c>sds</c> source), not the lab Istio CA.</summary>
    public SdsSourceOptions? Sds { get; init; }

    private MeshController? controller;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var client = new KubernetesApi(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await using var ca = await LabIstioCa.StartAsync(new TokenReviewAuthenticator(client, [IstioCaSourceOptions.TokenAudience]), cancellationToken: cancellationToken).ConfigureAwait(false);
        LabMesh.PublishRoot(server, ca.RootCertificatePem);
        LabMesh.EnsureServiceAccounts(server);
        var baseline = LabSnapshot.Capture(server.Store);
        await using var sds = Sds is null ? null : new SdsCertificateSource(Sds, TimeProvider.System);
        ICertificateSource certificates = sds is not null ? sds : new RotatingCertificateSource(
            new IstioCaCertificateSource(client, new IstioCaSourceOptions { AddressOverride = $"127.0.0.1:{ca.Port}", ServerName = LabIstioCa.ServerName }, TimeProvider.System),
            TimeProvider.System);
        console.Out.WriteLine($"lab Istio CA: {ca.Address} (as {LabIstioCa.ServerName}; root in ConfigMap {LabMesh.RootConfigMap} of every namespace)");
        if (sds is not null)
        {
            console.Out.WriteLine($"certificates: from the SDS server at {Sds!.SocketPath} (--certificate-source sds), not the lab Istio CA");
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = new ControllerHostOptions { Operations = new OperationsServerOptions { MetricsBindAddress = "127.0.0.1:0", HealthProbeBindAddress = "127.0.0.1:0" } };
        var running = Task.Run(
            () => ControllerHost.RunAsync(client, new ControllerOptions(), host, certificates,
                (metrics, probes) => listening.TrySetResult($"metrics: {metrics?.ToString() ?? "off"}  health probes: {probes?.ToString() ?? "off"}"),
                c => Volatile.Write(ref controller, c),
                stop.Token),
            CancellationToken.None);
        int exit;
        try
        {
            if (await Task.WhenAny(listening.Task, running).ConfigureAwait(false) == listening.Task)
            {
                console.Out.WriteLine(await listening.Task.ConfigureAwait(false));
            }

            exit = await ReportAsync(baseline, running, stop.Token, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: a graceful stop.
            exit = ExitCodes.Success;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The stop asked for above.
        }
        catch (Exception e) when (exit == ExitCodes.Success)
        {
            await console.Error.WriteLineAsync($"error: the MeshBridge controller failed while stopping: {e.Message}").ConfigureAwait(false);
            exit = ExitCodes.NotConverged;
        }
        catch (Exception)
        {
            // Already reported by ControllerEnded.
        }

        return exit;
    }

    private async Task<int> ReportAsync(LabSnapshot previous, Task running, CancellationToken stop, CancellationToken cancellationToken)
    {
        var watcher = new ConvergenceWatcher(
            () => Volatile.Read(ref controller) is { HasSynced: true, Pending: 0 },
            () => server.Counters.Writes() + server.Store.Revision,
            QuietPeriod,
            TimeProvider.System);
        var started = TimeProvider.System.GetTimestamp();
        console.Out.WriteLine($"meshbridge lab: MeshBridge is running against the lab; waiting until it has converged (timeout {Seconds(Timeout)})");
        await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        var deadline = Task.Delay(Timeout, stop);
        for (var round = 1; ; round++)
        {
            var converged = watcher.WaitForConvergenceAsync(stop);
            while (!converged.IsCompleted)
            {
                var woke = await Task.WhenAny(converged, running, deadline).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (woke == running)
                {
                    return ControllerEnded(running);
                }

                if (woke == deadline && !converged.IsCompleted)
                {
                    var state = Volatile.Read(ref controller);
                    var why = $"MeshBridge has not converged within {Seconds(Timeout)} (caches synced: {(state?.HasSynced == true ? "yes" : "no")}, keys pending: {state?.Pending ?? 0}, API writes: {server.Counters.Writes()})";
                    if (ExitWhenConverged)
                    {
                        await console.Error.WriteLineAsync($"error: {why}").ConfigureAwait(false);
                        return ExitCodes.NotConverged;
                    }

                    console.Out.WriteLine($"meshbridge lab: {why}; still waiting");
                    deadline = Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, stop);
                }
            }

            await converged.ConfigureAwait(false);
            var current = LabSnapshot.Capture(server.Store);
            var changes = ObjectDiff.Between(previous, current);
            var warnings = ObjectDiff.NewWarnings(previous, current);
            if (round == 1 || changes.Count > 0 || warnings.Count > 0)
            {
                console.Out.WriteLine(round == 1
                    ? $"meshbridge lab: converged in {Seconds(TimeProvider.System.GetElapsedTime(started))}; what MeshBridge changed:"
                    : "meshbridge lab: converged again; changes since the last report (yours and MeshBridge's):");
                console.Out.WriteLine();
                ChangeReport.Write(console.Out, changes, warnings);
                await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            previous = current;
            if (ExitWhenConverged)
            {
                return ExitCodes.Success;
            }

            var activity = watcher.WaitForActivityAsync(stop);
            if (await Task.WhenAny(activity, running).ConfigureAwait(false) == running)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return ControllerEnded(running);
            }

            await activity.ConfigureAwait(false);
        }
    }

    private int ControllerEnded(Task running)
    {
        var reason = running.Exception?.GetBaseException().Message ?? (running.IsCanceled ? "it was cancelled" : "it returned without being asked to stop");
        console.Error.WriteLine($"error: the MeshBridge controller stopped: {reason}");
        return ExitCodes.NotConverged;
    }

    private static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#}s");
}
